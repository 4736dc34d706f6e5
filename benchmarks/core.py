"""What every benchmark module shares: a measured case with its runs and its baseline.

A module ``benchmarks/<name>_bench.py`` is the registry entry: it has
``run(ctx: Context) -> list[Case]`` (or the first form, ``run() -> list[(what, figure, unit)]``,
still accepted), and ``python -m benchmarks`` finds it by its file name.
A case that has a baseline names another case of the same module measured in the same run (the
obvious way of doing the same work); the report prints the ratio baseline / case, so ``20x``
means twenty times faster than the obvious way. Nothing here asserts a time.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Context:
    """What a run is about: the scale, how many repeats, and the databases to use."""

    scale: str = "province"  # province | national
    repeat: int = 5
    #: a PostgreSQL server (superuser URL to its ``postgres`` database) for province-scale
    #: databases made in this run, or None to measure SQLite only
    postgres_admin: str | None = None
    #: national databases made once by ``python -m benchmarks generate``: dialect -> URL
    national: dict[str, str] = field(default_factory=dict)
    #: free-text notes a module adds for the report (EXPLAIN output, machine facts)
    notes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, scale: str, repeat: int) -> Context:
        national = {
            dialect: url
            for dialect, url in (
                ("postgresql", os.environ.get("KPI_BENCH_NATIONAL_POSTGRES", "")),
                ("sqlite", os.environ.get("KPI_BENCH_NATIONAL_SQLITE", "")),
            )
            if url.strip()
        }
        admin = os.environ.get("KPI_BENCH_POSTGRES_URL", "").strip() or None
        return cls(scale=scale, repeat=repeat, postgres_admin=admin, national=national)


@dataclass
class Case:
    """One measured thing: its runs (seconds unless ``unit`` says otherwise)."""

    name: str
    runs: list[float]
    unit: str = "s"
    baseline: str | None = None  # the name of the baseline case in the same module
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def low(self) -> float:
        return min(self.runs) if self.runs else float("nan")

    @property
    def high(self) -> float:
        return max(self.runs) if self.runs else float("nan")


def timed(fn: Callable[[], object], repeat: int, *, warmup: int = 0) -> list[float]:
    """Seconds of ``repeat`` calls of ``fn`` (after ``warmup`` untimed ones), as ``timeit``
    measures: one full collection before the runs and none during them, so that no case pays
    for another's garbage. (A full collection before every run, as this did until December
    2026, left the CPU caches cold for each: a 0.2 ms query then measured 0.6 ms, while the
    pandas baseline, which streams 27 million rows, lost nothing. The server does not collect
    between runs either: ``runner.postScriptGC = false``.)"""
    for _ in range(warmup):
        fn()
    runs = []
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - started)
    finally:
        if was_enabled:
            gc.enable()
    return runs


def ratio(cases: list[Case], case: Case) -> float | None:
    """Baseline median over this case's median (how many times faster), when it has one."""
    if case.baseline is None:
        return None
    base = next((c for c in cases if c.name == case.baseline), None)
    if base is None or not case.median or case.median != case.median:
        return None
    return base.median / case.median
