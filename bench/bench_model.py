"""Benchmark: load and validate a 10,000-component / 20,000-flow model; time `medsec --help`.

Targets (issue 2): load + validate ≤ 1.5 s; `medsec --help` ≤ 300 ms.
Run: .venv/bin/python bench/bench_model.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import write_model

from medsecurance.model import load


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_model(Path(tmp), 10_000, 20_000)
        size = path.stat().st_size / 1e6
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = load(path)
            times.append(time.perf_counter() - start)
        m = result.model
        print(f"model load+validate: {len(m.components)} components, {len(m.flows)} flows, {size:.1f} MB YAML: "
              f"best {min(times):.2f} s (target ≤ 1.5 s)")
    exe = Path(sys.executable).parent / "medsec"
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([str(exe), "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    print(f"medsec --help: best {min(runs) * 1000:.0f} ms, median {sorted(runs)[2] * 1000:.0f} ms (target ≤ 300 ms)")


if __name__ == "__main__":
    main()
