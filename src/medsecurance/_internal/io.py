"""Safe file I/O: atomic writes, bounded reads, hashing and canonical JSON."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from medsecurance.errors import DataError, MedsecError, ReportError

try:
    import orjson as _orjson

    _ORJSON_OPTS = _orjson.OPT_INDENT_2 | _orjson.OPT_SORT_KEYS
except ImportError:  # pragma: no cover - optional accelerator
    _orjson = None  # type: ignore[assignment]
    _ORJSON_OPTS = 0

__all__ = [
    "DEFAULT_MAX_BYTES",
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_writer",
    "canonical_json",
    "read_bytes_limited",
    "read_text_limited",
    "sha256_bytes",
    "sha256_file",
]

#: default ceiling for one untrusted input file (overridable by MEDSEC_MAX_INPUT_BYTES)
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


def _limit(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get("MEDSEC_MAX_INPUT_BYTES")
    return int(env) if env and env.isdigit() else DEFAULT_MAX_BYTES


def read_bytes_limited(
    path: str | Path, *, max_bytes: int | None = None, error: type[MedsecError] = DataError
) -> bytes:
    """Read a whole file, refusing files larger than ``max_bytes`` with a clear error."""
    p = Path(path)
    limit = _limit(max_bytes)
    try:
        size = p.stat().st_size
        if size > limit:
            raise error(
                f"file is {size} bytes, over the {limit}-byte limit",
                file=p,
                hint="raise MEDSEC_MAX_INPUT_BYTES if the file is trusted",
            )
        with p.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError as exc:
        raise error("file not found", file=p, hint="check the path") from exc
    except IsADirectoryError as exc:
        raise error("is a directory, expected a file", file=p) from exc
    except PermissionError as exc:
        raise error("permission denied", file=p) from exc
    if len(data) > limit:
        raise error(f"file grew over the {limit}-byte limit while reading", file=p)
    return data


def read_text_limited(
    path: str | Path, *, max_bytes: int | None = None, error: type[MedsecError] = DataError
) -> str:
    """Read a UTF-8 text file with a size limit; bad encodings are a located error."""
    data = read_bytes_limited(path, max_bytes=max_bytes, error=error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error("file is not valid UTF-8 text", file=path, line=line, hint="save it as UTF-8") from exc


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def canonical_json(obj: Any) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, UTF-8, trailing newline.

    orjson (a dependency) writes it about ten times faster than the standard library; the fallback
    differs only in how exponents are spelt (1e-07 for 1e-7).
    """
    if _orjson is not None:
        try:
            return _orjson.dumps(obj, option=_ORJSON_OPTS).decode("utf-8") + "\n"
        except TypeError:  # e.g. integer dict keys: the standard library handles those
            pass
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    with _atomic_file(path, "wb") as fh:
        fh.write(data)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def _atomic_file(path: str | Path, mode: str) -> Iterator[Any]:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ReportError(f"cannot write: {exc.strerror}", file=target) from exc
    try:
        options: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **options) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ReportError(f"cannot write: {exc.strerror}", file=target) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_writer(path: str | Path) -> contextlib.AbstractContextManager[IO[str]]:
    """A text file handle whose content replaces ``path`` atomically when the block succeeds."""
    return _atomic_file(path, "w")


def atomic_write_text(path: str | Path, text: str) -> None:
    """UTF-8 variant of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_directory(path: str | Path, *, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it is renamed to ``path``.

    On any exception the temporary folder is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        if not replace:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ReportError("already exists", file=target, hint="choose another output folder")
        backup = target.with_name(f".{target.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(target, backup)
        os.replace(tmp, target)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        os.replace(tmp, target)
