"""Server-side time of the leaders' pages (Overview, Trends, Districts) in Streamlit's AppTest.

For each page, on the demo database and on a province database with ten years of quarters for
every commune (``benchmarks/bigdb.py``):

- cold: the first run after Streamlit's caches are cleared (queries, models and figures built);
- warm: the median of later runs with nothing changed (what every click that changes nothing
  the page depends on costs, and what a second reader of the same page costs);
- change: the median time of a run after choosing another quarter (a model not cached yet).

The target is under 0.1 s warm. Times include AppTest's own overhead (a script thread, the
element tree); the app itself (``app.py``) is run too, as in a browser.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


def measure_page(url: str, page: str) -> dict[str, float]:
    """Cold, warm and change-of-quarter times of one page (seconds)."""
    from streamlit.testing.v1 import AppTest

    with _database(url):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["lang"] = "vi"
        at.run()
        if page != "overview":
            at.switch_page(str(ROOT / "views" / f"{page}.py")).run()
        _clear()
        cold = _timed(at.run)
        _check(at, page)
        warm = statistics.median(_timed(at.run) for _ in range(WARM_RUNS))
        _check(at, page)
        change = float("nan")
        key = QUARTER_WIDGETS.get(page)
        if key is not None:
            box = at.selectbox(key=key)
            options = list(box.options)
            times = []
            for label in options[1:4]:
                box.select(label)
                times.append(_timed(at.run))
                _check(at, page)
                box = at.selectbox(key=key)
            change = statistics.median(times) if times else float("nan")
        elif page == "trends":
            # Yearly figures instead of quarterly ones, then back.
            times = []
            for freq in ("year", "quarter"):
                at.radio(key="trends_freq").set_value(freq)
                times.append(_timed(at.run))
                _check(at, page)
            change = times[0]
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


def run() -> list[tuple[str, float, str]]:
    from benchmarks import bigdb

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = bigdb.build(folder / "big.sqlite3")
        rows.append(("big database: observations", made["observations"], "rows"))
        rows.append(("big database: build", made["seconds"], "s"))
        databases = {"demo": _demo_db(folder), "big": f"sqlite:///{folder / 'big.sqlite3'}"}
        # One throwaway run so that imports are not counted in the first page's cold time.
        measure_page(databases["demo"], "overview")
        for name, url in databases.items():
            for page in PAGES:
                times = measure_page(url, page)
                rows.append((f"{name}: {page} cold", times["cold"], "s"))
                rows.append((f"{name}: {page} warm (median of {WARM_RUNS})", times["warm"], "s"))
                what = "another quarter" if page != "trends" else "yearly instead of quarterly"
                rows.append((f"{name}: {page} {what}", times["change"], "s"))
    return rows


if __name__ == "__main__":
    for what, figure, unit in run():
        print(f"{what:<60} {figure:>10.4f} {unit}")
