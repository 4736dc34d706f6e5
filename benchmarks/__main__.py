"""``python -m benchmarks [NAME ...]``: run the benchmarks and print their figures.

Every module ``benchmarks/<name>_bench.py`` has ``run() -> list[tuple[str, float, str]]``
(what was measured, the figure, its unit or a note). Figures are printed and kept in
``bench-results/latest.json``; nothing here asserts a time.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(names: list[str]) -> int:
    modules = sorted(p.stem for p in Path(__file__).parent.glob("*_bench.py"))
    chosen = [m for m in modules if not names or m.removesuffix("_bench") in names or m in names]
    if not chosen:
        print(f"no benchmark among {', '.join(modules) or 'none'}", file=sys.stderr)
        return 2
    results: dict[str, list[dict[str, object]]] = {}
    for name in chosen:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        rows = importlib.import_module(f"benchmarks.{name}").run()
        for what, figure, unit in rows:
            print(f"  {what:<60} {figure:>12.4g} {unit}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s in all)")
        results[name] = [{"what": w, "figure": f, "unit": u} for w, f, u in rows]
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "results": results,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
