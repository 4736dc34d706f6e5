"""``python -m benchmarks``: run the benchmarks, print a table of figures and ratios.

    python -m benchmarks [--scale province|national] [--repeat N] [NAME ...]
    python -m benchmarks generate --scale national|province --db URL
    python -m benchmarks markdown [bench-results/latest-national.json ...]   (BENCHMARKS.md's tables)

Every module ``benchmarks/<name>_bench.py`` is a benchmark (see :mod:`benchmarks.core`).
Figures are printed (median, min, max of the runs, and the ratio to the case's baseline measured
in the same run) and kept in ``bench-results/latest.json``. National scale reads the databases
made once by ``generate``: ``KPI_BENCH_NATIONAL_POSTGRES`` and ``KPI_BENCH_NATIONAL_SQLITE``;
``KPI_BENCH_POSTGRES_URL`` (a superuser URL) adds PostgreSQL to the province-scale cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from benchmarks.core import Case, Context, ratio

ROOT = Path(__file__).resolve().parent.parent


def modules() -> list[str]:
    return sorted(p.stem for p in Path(__file__).parent.glob("*_bench.py"))


def _machine() -> dict[str, object]:
    cpu = ""
    for line in (
        Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    ):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0.0
    if Path("/proc/meminfo").exists():
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        mem = int(first.split()[1]) / 1024 / 1024
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "load_average": os.getloadavg(),
    }


def _format(value: float, unit: str) -> str:
    if value != value:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,.4g} {unit}"


def report(name: str, cases: list[Case]) -> list[dict[str, object]]:
    rows = []
    for case in cases:
        r = ratio(cases, case)
        versus = f"{r:,.1f}x vs {case.baseline}" if r is not None else ""
        print(
            f"  {case.name:<58} {_format(case.median, case.unit):>12} "
            f"[{_format(case.low, case.unit)} .. {_format(case.high, case.unit)}]  {versus}"
            + (f"  ({case.note})" if case.note else ""),
            flush=True,
        )
        rows.append(
            {
                "module": name,
                "name": case.name,
                "unit": case.unit,
                "median": case.median,
                "min": case.low,
                "max": case.high,
                "runs": case.runs,
                "baseline": case.baseline,
                "ratio": r,
                "note": case.note,
            }
        )
    return rows


def _run(module: object, ctx: Context) -> list[Case]:
    """A module's cases: ``run(ctx) -> list[Case]``, or the first form ``run() -> list[(what,
    figure, unit)]`` (one figure each, no baseline), which stays accepted."""
    run = module.run  # type: ignore[attr-defined]
    if inspect.signature(run).parameters:
        return list(run(ctx))
    return [Case(str(what), [float(figure)], str(unit)) for what, figure, unit in run()]


def bench(args: argparse.Namespace) -> int:
    found = modules()
    chosen = [
        m
        for m in found
        if not args.names or m.removesuffix("_bench") in args.names or m in args.names
    ]
    if not chosen:
        print(f"no benchmark among {', '.join(found) or 'none'}", file=sys.stderr)
        return 2
    ctx = Context.from_env(args.scale, args.repeat)
    if ctx.scale == "national" and not ctx.national:
        print(
            "national scale needs a national database: make one with\n"
            "  python -m benchmarks generate --scale national --db URL\n"
            "and set KPI_BENCH_NATIONAL_POSTGRES (and/or KPI_BENCH_NATIONAL_SQLITE) to its URL",
            file=sys.stderr,
        )
        return 2
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results: list[dict[str, object]] = []
    failed: list[str] = []
    for name in chosen:
        print(f"== {name} ({ctx.scale} scale)", flush=True)
        started = time.perf_counter()
        try:
            cases = _run(importlib.import_module(f"benchmarks.{name}"), ctx)
        except Exception as exc:  # one broken case must not lose the others' figures
            traceback.print_exc()
            ctx.notes[f"{name} failed"] = repr(exc)
            failed.append(name)
            continue
        results += report(name, cases)
        print(f"  ({time.perf_counter() - started:.1f} s in all)", flush=True)
    for key, text in ctx.notes.items():
        print(f"== {key}\n{text}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    document = {
        "started": started_at,
        "scale": ctx.scale,
        "repeat": ctx.repeat,
        "machine": _machine(),
        "cases": results,
        "notes": ctx.notes,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    (out / "latest.json").write_text(text, encoding="utf-8")
    (out / f"latest-{ctx.scale}.json").write_text(text, encoding="utf-8")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def markdown(document: dict[str, object]) -> str:
    """The tables of BENCHMARKS.md from a results file: one per module, a row per case."""
    out: list[str] = []
    module = None
    for case in document["cases"]:  # type: ignore[attr-defined]
        if case["module"] != module:
            module = case["module"]
            out += [
                "",
                f"#### {module} ({document['scale']}, {document['started']})",
                "",
                "| case | median | min – max | vs baseline |",
                "|---|---:|---:|---:|",
            ]
        unit = str(case["unit"])
        name = str(case["name"]) + (f" ({case['note']})" if case["note"] else "")
        once = case["min"] == case["max"]
        spread = "once" if once else f"{_format(case['min'], unit)} – {_format(case['max'], unit)}"
        versus = f"{case['ratio']:,.1f}×" if case["ratio"] is not None else ""
        out.append(f"| {name} | {_format(case['median'], unit)} | {spread} | {versus} |")
    return "\n".join(out).strip() + "\n"


def generate(args: argparse.Namespace) -> int:
    if args.scale == "province":
        from benchmarks import national

        made = national.build(args.db, national.PROVINCE)
    else:
        from benchmarks import national

        try:
            made = national.build(args.db, national.NATIONAL)
        except (national.NotEmpty, national.NoSpace) as exc:
            print(f"generate: {exc}", file=sys.stderr)
            return 1
    for key, value in made.items():
        print(f"  {key:<45} {value:>14,.1f}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["markdown"]:
        for path in argv[1:] or [str(ROOT / "bench-results" / "latest.json")]:
            print(markdown(json.loads(Path(path).read_text(encoding="utf-8"))))
        return 0
    if argv[:1] == ["generate"]:
        parser = argparse.ArgumentParser(prog="python -m benchmarks generate")
        parser.add_argument("--scale", choices=("province", "national"), default="national")
        parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database")
        return generate(parser.parse_args(argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--scale", choices=("province", "national"), default="province")
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("names", nargs="*", help=f"among {', '.join(modules())}")
    return bench(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
