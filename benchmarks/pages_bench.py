"""Server-side time of the leaders' pages (Overview, Trends, Districts) in Streamlit's AppTest.

For each page, at province scale on the demo database and on a province database with ten years
of quarters for every commune (``benchmarks/bigdb.py``), and at national scale on the databases
of ``python -m benchmarks generate --scale national`` (PostgreSQL, SQLite):

- cold: a run after Streamlit's caches are cleared (queries, models and figures built), the
  baseline: what every run would cost without the caches;
- warm: later runs with nothing changed (what every click that changes nothing the page depends
  on costs, and what a second reader of the same page costs);
- change: a run after choosing another quarter (a model not cached yet).

The targets are under 0.1 s warm at province scale, under 0.5 s at national scale. Times include
AppTest's own overhead (a script thread, the element tree); the app itself (``app.py``) is run
too, as in a browser, and as a server runs it after its first request
(:func:`tests.support.apptest.warm_server_pages`: left alone, AppTest runs every rerun twice).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.core import Case, Context, timed
from kpi import db
from kpi.access import Actor
from kpi.bootstrap import init_database

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "trends", "districts")
WARM_RUNS = 7
#: the widget that picks a quarter on each page, and how it is set
QUARTER_WIDGETS = {"overview": "overview_period", "districts": "districts_period"}


@contextmanager
def _database(url: str) -> Iterator[None]:
    before = os.environ.get("KPI_DATABASE_URL")
    os.environ["KPI_DATABASE_URL"] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("KPI_DATABASE_URL", None)
        else:
            os.environ["KPI_DATABASE_URL"] = before


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure_page(url: str, page: str, repeat: int = 3) -> dict[str, list[float]]:
    """Cold, warm and change-of-quarter times of one page (seconds, ``repeat`` runs each)."""
    from streamlit.testing.v1 import AppTest

    from tests.support.apptest import warm_server_pages

    with _database(url), warm_server_pages():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["lang"] = "vi"
        at.run()
        if page != "overview":
            at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
        cold = []
        for _ in range(repeat):
            _clear()
            cold.append(_timed(at.run))
            _check(at, page)
        warm = timed(at.run, max(repeat, WARM_RUNS))
        _check(at, page)
        change: list[float] = []
        key = QUARTER_WIDGETS.get(page)
        if key is not None:
            box = at.selectbox(key=key)
            options = list(box.options)
            times = []
            for label in options[1 : 1 + repeat]:
                box.select(label)
                times.append(_timed(at.run))
                _check(at, page)
                box = at.selectbox(key=key)
            change = times
        elif page == "trends":
            # Yearly figures instead of quarterly ones, then back.
            times = []
            for freq in ("year", "quarter"):
                at.radio(key="trends_freq").set_value(freq)
                times.append(_timed(at.run))
                _check(at, page)
            change = times[:1]
    return {"cold": cold, "warm": warm, "change": change}


def _check(at: object, page: str) -> None:
    exceptions = getattr(at, "exception", [])
    if exceptions:
        raise RuntimeError(f"{page}: {[e.message for e in exceptions]}")


def _demo_db(folder: Path) -> str:
    path = folder / "demo.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        init_database(engine, Actor("bench", "admin"), demo=True)
    finally:
        engine.dispose()
    return f"sqlite:///{path}"


def _cases(label: str, url: str, repeat: int) -> list[Case]:
    cases = []
    for page in PAGES:
        times = measure_page(url, page, repeat)
        cold = f"{label}: {page} cold (no cache)"
        what = "another quarter" if page != "trends" else "yearly instead of quarterly"
        cases += [
            Case(f"{label}: {page} warm", times["warm"], baseline=cold),
            Case(cold, times["cold"]),
            Case(f"{label}: {page} {what}", times["change"], baseline=cold),
        ]
    return cases


def run(ctx: Context) -> list[Case]:
    from benchmarks import bigdb

    repeat = max(1, min(ctx.repeat, 5))
    cases: list[Case] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = _demo_db(folder)
        # One throwaway run so that imports are not counted in the first page's cold time.
        measure_page(demo, "overview", 1)
        if ctx.scale == "national":
            for dialect, url in sorted(ctx.national.items()):
                cases += _cases(f"national {dialect}", url, repeat)
            return cases
        made = bigdb.build(folder / "big.sqlite3")
        note = f"{int(made['observations']):,} rows, built in {made['seconds']:.1f} s"
        cases += _cases("demo", demo, repeat)
        cases += _cases("province ten years", f"sqlite:///{folder / 'big.sqlite3'}", repeat)
        cases[-1].note = note
    return cases


if __name__ == "__main__":
    from benchmarks.__main__ import report

    report("pages_bench", run(Context(repeat=3)))
