"""The offline advisory database: one SQLite file, incremental upserts, one transaction per import."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from medsecurance.errors import AdvisoryError
from medsecurance.vulns.records import Advisory, EpssScore, KevEntry, Record

__all__ = ["ImportStats", "VulnDatabase", "default_db_path"]

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisory(
  adv INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL, modified TEXT NOT NULL,
  published TEXT, summary TEXT, cvss_vector TEXT, cvss_score REAL, severity TEXT, cwes TEXT,
  refs TEXT, document TEXT, withdrawn TEXT, UNIQUE(id, source));
CREATE TABLE IF NOT EXISTS alias(adv INTEGER NOT NULL, alias TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alias_adv ON alias(adv);
CREATE INDEX IF NOT EXISTS alias_alias ON alias(alias);
CREATE TABLE IF NOT EXISTS affected(adv INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT);
CREATE INDEX IF NOT EXISTS affected_key ON affected(key);
CREATE INDEX IF NOT EXISTS affected_adv ON affected(adv);
CREATE TABLE IF NOT EXISTS kev(cve TEXT PRIMARY KEY, date_added TEXT, due_date TEXT, ransomware TEXT, name TEXT);
CREATE TABLE IF NOT EXISTS epss(cve TEXT PRIMARY KEY, score REAL, percentile REAL, date TEXT);
"""
_BATCH = 2000


def default_db_path() -> Path:
    """``$MEDSEC_VULNDB``, else ``<user data dir>/medsecurance/vulndb.sqlite``."""
    env = os.environ.get("MEDSEC_VULNDB")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("medsecurance")) / "vulndb.sqlite"


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _compact_json(value: Any) -> str:
    """Compact JSON for stored match data: orjson, or the standard library for what orjson refuses."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return _ENCODE(value)


@dataclass
class ImportStats:
    """Counts of one import run, per format and overall."""

    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kev: int = 0
    epss: int = 0
    formats: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def advisories(self) -> int:
        """Advisories read (added + updated + unchanged)."""
        return self.added + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "files": self.files,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kev": self.kev,
            "epss": self.epss,
            "formats": dict(sorted(self.formats.items())),
            "skipped": list(self.skipped),
        }


class VulnDatabase:
    """The SQLite advisory store; open with a path (created on first import)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None)
            self.conn.executescript(_SCHEMA)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # durable at each commit in WAL mode
            self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        except (sqlite3.DatabaseError, OSError) as exc:
            raise AdvisoryError(
                f"cannot open the vulnerability database: {exc}",
                file=self.path,
                hint="pass another --db path or delete the damaged file",
            ) from exc

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> VulnDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- import --------------------------------------------------------------------------
    def import_files(self, paths: Sequence[str | Path]) -> ImportStats:
        """Import advisory files (format detected) in ONE transaction: all or nothing."""
        from medsecurance.vulns.importers import read_records

        stats = ImportStats()
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for path in paths:
                stats.files += 1
                for fmt, records in read_records(path, stats.skipped):
                    count = self._write(cur, records, stats)
                    stats.formats[fmt] = stats.formats.get(fmt, 0) + count
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return stats

    def import_records(self, records: Iterable[Record]) -> ImportStats:
        """Import records already in memory (used by tests and the benchmark), one transaction."""
        stats = ImportStats()
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            self._write(cur, records, stats)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return stats

    def _write(self, cur: sqlite3.Cursor, records: Iterable[Record], stats: ImportStats) -> int:
        count = 0
        batch: list[Advisory] = []
        for record in records:
            count += 1
            if isinstance(record, Advisory):
                batch.append(record)
                if len(batch) >= _BATCH:
                    self._upsert(cur, batch, stats)
                    batch = []
            elif isinstance(record, KevEntry):
                cur.execute(
                    "INSERT OR REPLACE INTO kev VALUES (?,?,?,?,?)",
                    (record.cve, record.date_added, record.due_date, record.ransomware, record.name),
                )
                stats.kev += 1
            elif isinstance(record, EpssScore):
                cur.execute(
                    "INSERT OR REPLACE INTO epss VALUES (?,?,?,?)",
                    (record.cve, record.score, record.percentile, record.date),
                )
                stats.epss += 1
        if batch:
            self._upsert(cur, batch, stats)
        return count

    def _upsert(self, cur: sqlite3.Cursor, batch: list[Advisory], stats: ImportStats) -> None:
        latest: dict[tuple[str, str], Advisory] = {}
        for adv in batch:  # within a batch, the newest statement of an id wins
            key = (adv.id, adv.source)
            if key not in latest or adv.modified >= latest[key].modified:
                latest[key] = adv
        existing: dict[tuple[str, str], tuple[int, str]] = {}
        ids = sorted({k[0] for k in latest})
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            marks = ",".join("?" * len(chunk))
            for adv_id, source, rowid, modified in cur.execute(
                f"SELECT id, source, adv, modified FROM advisory WHERE id IN ({marks})", chunk
            ):
                if (adv_id, source) in latest:
                    existing[(adv_id, source)] = (rowid, modified)
        fresh, stale = [], []
        for key, adv in latest.items():
            if key not in existing:
                fresh.append(adv)
            elif adv.modified > existing[key][1]:
                stale.append((existing[key][0], adv))
            else:
                stats.unchanged += 1
        stats.unchanged += len(batch) - len(latest)
        for rowid, _ in stale:
            cur.execute("DELETE FROM affected WHERE adv=?", (rowid,))
            cur.execute("DELETE FROM alias WHERE adv=?", (rowid,))
            cur.execute("DELETE FROM advisory WHERE adv=?", (rowid,))
        stats.added += len(fresh)
        stats.updated += len(stale)
        self._insert(cur, fresh + [adv for _, adv in stale])

    @staticmethod
    def _insert(cur: sqlite3.Cursor, advisories: list[Advisory]) -> None:
        affected: list[tuple[int, str, str, str]] = []
        aliases: list[tuple[int, str]] = []
        rows = []
        start = cur.execute("SELECT coalesce(max(adv), 0) FROM advisory").fetchone()[0] + 1
        dumps = _compact_json
        for rowid, adv in enumerate(advisories, start):
            rows.append(
                (
                    rowid,
                    adv.id,
                    adv.source,
                    adv.modified,
                    adv.published,
                    adv.summary[:2000],
                    adv.cvss_vector,
                    adv.cvss_score,
                    adv.severity,
                    ",".join(adv.cwes),
                    "\n".join(adv.references[:20]),
                    adv.document,
                    adv.withdrawn,
                )
            )
            aliases.extend((rowid, a) for a in adv.aliases)
            affected.extend((rowid, a.kind, a.key, dumps(a.data)) for a in adv.affected)
        cur.executemany("INSERT INTO advisory VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        cur.executemany("INSERT INTO alias VALUES (?,?)", aliases)
        cur.executemany("INSERT INTO affected VALUES (?,?,?,?)", affected)

    # -- queries -------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts per source and of KEV/EPSS rows."""
        sources = dict(
            self.conn.execute(
                "SELECT CASE WHEN instr(source, ':') > 0 THEN substr(source, 1, instr(source, ':') - 1)"
                " ELSE source END AS s, count(*) FROM advisory GROUP BY s ORDER BY s"
            )
        )
        one = self.conn.execute
        return {
            "path": str(self.path),
            "advisories": one("SELECT count(*) FROM advisory").fetchone()[0],
            "affected_entries": one("SELECT count(*) FROM affected").fetchone()[0],
            "aliases": one("SELECT count(*) FROM alias").fetchone()[0],
            "sources": sources,
            "kev": one("SELECT count(*) FROM kev").fetchone()[0],
            "epss": one("SELECT count(*) FROM epss").fetchone()[0],
        }

    def candidates(self, keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """Rows (key, kind, data, adv, id, source, summary, vector, score, severity, document, withdrawn, published)."""
        cur = self.conn.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS scan_keys(key TEXT PRIMARY KEY) WITHOUT ROWID")
        cur.execute("DELETE FROM scan_keys")
        cur.executemany("INSERT OR IGNORE INTO scan_keys VALUES (?)", ((k,) for k in keys))
        yield from cur.execute(
            "SELECT f.key, f.kind, f.data, a.adv, a.id, a.source, a.summary, a.cvss_vector, a.cvss_score,"
            " a.severity, a.document, a.withdrawn, a.published FROM scan_keys k JOIN affected f ON f.key = k.key"
            " JOIN advisory a ON a.adv = f.adv ORDER BY a.id, a.source"
        )

    def aliases(self, advs: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """Aliases of the given advisory row ids."""
        out: dict[int, list[str]] = {}
        ids = list(set(advs))
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            q = f"SELECT adv, alias FROM alias WHERE adv IN ({','.join('?' * len(chunk))}) ORDER BY alias"
            for adv, alias in self.conn.execute(q, chunk):
                out.setdefault(adv, []).append(alias)
        return {k: tuple(v) for k, v in out.items()}

    def kev_epss(self, cves: Iterable[str]) -> tuple[dict[str, KevEntry], dict[str, EpssScore]]:
        """KEV entries and EPSS scores for the given CVE ids."""
        ids = sorted(set(cves))
        kev: dict[str, KevEntry] = {}
        epss: dict[str, EpssScore] = {}
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(f"SELECT * FROM kev WHERE cve IN ({marks})", chunk):
                kev[row[0]] = KevEntry(*row)
            for row in self.conn.execute(f"SELECT * FROM epss WHERE cve IN ({marks})", chunk):
                epss[row[0]] = EpssScore(*row)
        return kev, epss
