"""The benchmarks' own machinery: the registry, the ratios, and the light Streamlit client the
many-viewers case measures with (if Streamlit's protocol changed under it, its figures would
silently mean nothing). No time is asserted here."""

from __future__ import annotations

import gc

import pytest

from benchmarks.__main__ import modules
from benchmarks.core import Case, ratio, timed
from benchmarks.viewers_bench import CARDS, crowd, open_overview, p95
from tests.conftest import ROOT
from tests.support.server import running_app


def test_every_case_of_the_issue_has_a_module() -> None:
    assert {"import_bench", "pages_bench", "queries_bench", "export_bench", "viewers_bench"} <= set(
        modules()
    )


@pytest.mark.parametrize(
    ("runs", "base_runs", "expected"),
    [
        ([0.01, 0.02, 0.03], [1.0, 2.0, 3.0], 100.0),  # median against median
        ([2.0], [1.0], 0.5),  # slower than the baseline: below 1
        ([0.5, 100.0, 0.5], [1.0], 2.0),  # an outlier does not move the median
    ],
)
def test_ratio_is_baseline_median_over_case_median(
    runs: list[float], base_runs: list[float], expected: float
) -> None:
    base = Case("baseline", base_runs)
    case = Case("case", runs, baseline="baseline")
    assert ratio([case, base], case) == pytest.approx(expected)
    assert ratio([case, base], base) is None
    assert (case.low, case.high) == (min(runs), max(runs))


def test_timed_runs_without_collections_and_restores_the_collector() -> None:
    seen: list[bool] = []
    runs = timed(lambda: seen.append(gc.isenabled()), 3, warmup=2)
    assert len(runs) == 3 and all(r >= 0 for r in runs)
    assert seen == [True, True, False, False, False]  # warm-ups as usual, runs without gc
    assert gc.isenabled()

    def fails() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        timed(fails, 2)
    assert gc.isenabled()


def test_modules_of_the_first_form_still_run() -> None:
    from types import SimpleNamespace

    from benchmarks.__main__ import _run
    from benchmarks.core import Context

    old = SimpleNamespace(run=lambda: [("draft report", 1.5, "s")])
    new = SimpleNamespace(run=lambda ctx: [Case(f"at {ctx.scale}", [0.1, 0.2])])
    assert [(c.name, c.runs, c.unit) for c in _run(old, Context())] == [
        ("draft report", [1.5], "s")
    ]
    assert [c.name for c in _run(new, Context(scale="national"))] == ["at national"]


def test_p95_of_twenty_is_the_nineteenth() -> None:
    assert p95([float(n) for n in range(1, 21)]) == 19.0


def test_light_client_sees_the_overview_cards(demo_url: str) -> None:
    with running_app({"KPI_DATABASE_URL": demo_url, "KPI_LANG": "vi"}, ROOT) as url:
        seconds, cards = open_overview(url)
        assert cards >= CARDS and seconds > 0
        times, cpu = crowd(url, 3)
        assert len(times) == 3 and cpu >= 0


def test_the_markdown_tables_name_each_case_with_its_ratio() -> None:
    from benchmarks.__main__ import markdown

    cases = [
        Case("case", [0.01, 0.03], baseline="baseline", note="870 figures"),
        Case("baseline", [0.2]),
    ]
    document = {
        "scale": "province",
        "started": "2026-12-01T12:00:00+00:00",
        "cases": [
            {
                "module": "import_bench",
                "name": c.name,
                "unit": c.unit,
                "median": c.median,
                "min": c.low,
                "max": c.high,
                "ratio": ratio(cases, c),
                "note": c.note,
            }
            for c in cases
        ],
    }
    lines = markdown(document).splitlines()
    assert lines[0] == "#### import_bench (province, 2026-12-01T12:00:00+00:00)"
    assert lines[4] == "| case (870 figures) | 20.0 ms | 10.0 ms – 30.0 ms | 10.0× |"
    assert lines[5] == "| baseline | 200.0 ms | once |  |"
