"""Benchmark: what ``medsec analyze`` does before the analysis — imports, model load, position scan.

Figures are best of N (the machine may be shared): the import of the CLI and the api in fresh
interpreters, then in-process ``api.load`` (parse, validation, cross-checks) and the text scan of
element positions that the threat engine and SARIF read.
Run: .venv/bin/python bench/bench_startup.py [MODEL] [N]   (default: a synthetic 5,000/5,000 model, N=7)
"""

from __future__ import annotations

import gc
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

_IMPORT = (
    "import time; t = time.perf_counter(); import medsecurance.cli; from medsecurance import api; "
    "print(time.perf_counter() - t)"
)


def _best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    imports = [float(subprocess.run([sys.executable, "-c", _IMPORT], check=True, capture_output=True,
                                    text=True).stdout) for _ in range(runs)]
    print(f"import medsecurance.cli + api (fresh interpreter): best {min(imports) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1:
            path = Path(sys.argv[1])
        else:
            from synth import write_model

            path = write_model(Path(tmp), 5_000, 5_000)
        from medsecurance import api
        from medsecurance.model._positions import scan_positions

        result = api.load(path)  # warm: the knowledge base is loaded once per process
        load = _best(lambda: api.load(path), runs)
        texts = {str(path): path.read_text(encoding="utf-8")}
        scan = _best(lambda: scan_positions(texts), runs)
        m = result.model
        print(f"api.load: {len(m.components)} components, {len(m.flows)} flows, "
              f"{path.stat().st_size / 1e6:.1f} MB: best {load * 1000:.0f} ms")
        print(f"position scan: {len(scan_positions(texts))} elements: best {scan * 1000:.1f} ms")


if __name__ == "__main__":
    main()
