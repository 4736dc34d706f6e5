"""The filters of an analyst's table: the page address, resolution of codes, the sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from kpi import db
from kpi.catalogue import load_catalogue
from kpi.config import LANGUAGES
from kpi.filters import FIELDS, FilterError, Filters, resolve, resolve_units
from kpi.i18n import has
from kpi.units import UnitInfo, all_units

ROOT = Path(__file__).resolve().parent.parent
DISTRICTS = ("842", "844", "845", "846", "847", "848", "849", "850", "851")


@pytest.fixture(scope="module")
def units(demo_db: Path) -> Iterator[list[UnitInfo]]:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    with db.session_scope(engine) as session:
        found = all_units(session)
    engine.dispose()
    yield found


# -- the page address --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(
            indicators=("dossiers_received",), units=DISTRICTS, first="2019-Q1", last="2020-Q4"
        ),
        Filters(units=("849",), children=True, freq="year", lang="en", header="codes"),
        Filters(indicators=("a", "b"), layout="wide", across="units"),
        Filters(history=True, sources=True, first="2016-Q1"),
    ],
)
def test_a_link_reproduces_the_filters(filters: Filters) -> None:
    assert Filters.from_params(filters.to_params()) == filters
    assert Filters.from_params(parse_qs(filters.to_query())) == filters


def test_defaults_are_left_out_of_the_address() -> None:
    assert Filters().to_params() == {}
    assert Filters(units=("849",), children=True, first="2019-Q1").to_query() == (
        "unit=849&children=1&from=2019-Q1"
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"indicator": "a,b", "unit": ["842", "844"]},
            Filters(indicators=("a", "b"), units=("842", "844")),
        ),
        ({"from": "Quý I/2019", "to": "q4 2020"}, Filters(first="2019-Q1", last="2020-Q4")),
        ({"unit": [" 84-cq ", "84-CQ"]}, Filters(units=("84-CQ",))),
        (
            {"children": "true", "unit": "849", "freq": "YEAR"},
            Filters(units=("849",), children=True, freq="year"),
        ),
        ({"history": "0", "other": "kept by the page"}, Filters()),
    ],
)
def test_parameters_are_read_the_way_people_type_them(
    params: dict[str, object], expected: Filters
) -> None:
    assert Filters.from_params(params) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"freq": "month"}, "bad_choice", "month"),
        ({"layout": "tall"}, "bad_choice", "tall"),
        ({"from": "2019-Q5"}, "bad_period", "2019-Q5"),
        ({"from": "2020-Q1", "to": "2019-Q4"}, "empty_range", "2020-Q1"),
        ({"history": "1", "layout": "wide"}, "history_long_quarter", "bảng dọc theo quý"),
        ({"history": "1", "freq": "year"}, "history_long_quarter", "bảng dọc theo quý"),
        ({"sources": "1", "layout": "wide"}, "sources_long", "bảng dọc"),
        ({"children": "maybe"}, "bad_flag", "maybe"),
    ],
)
def test_impossible_filters_are_refused_in_words(
    params: dict[str, str], code: str, words: str
) -> None:
    with pytest.raises(FilterError) as caught:
        Filters.from_params(params)
    assert caught.value.code == code
    assert caught.value.is_usage
    assert words in caught.value.message("vi")


def test_every_filter_is_labelled_explained_and_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in FIELDS:
        for lang in LANGUAGES:
            assert field.label(lang) and field.help(lang)
            for choice in field.choices:
                assert has(f"export.choice.{field.attr}.{choice}", lang), (field.attr, choice, lang)
        assert f"--{field.param}" in readme, f"--{field.param} is not in the README"


# -- resolution --------------------------------------------------------------------------------


def _codes(found: list[UnitInfo]) -> list[str]:
    return [u.code for u in found]


def test_a_code_selects_the_unit_itself_and_children_the_units_one_level_down(
    units: list[UnitInfo],
) -> None:
    assert _codes(resolve_units(("849",), False, units, "2019-Q1", "2019-Q4")) == ["849"]
    communes = resolve_units(("849",), True, units, "2019-Q1", "2019-Q4")
    district = next(u for u in units if u.code == "849")
    assert len(communes) == 17
    assert {u.parent_id for u in communes} == {district.id}
    assert {u.level for u in communes} == {"commune"}
    province_children = resolve_units(("84",), True, units, "2019-Q1", "2019-Q4")
    assert _codes(province_children) == ["84-CQ", *DISTRICTS]


def test_no_unit_means_every_unit_valid_during_the_range(units: list[UnitInfo]) -> None:
    in_2019 = resolve_units((), False, units, "2019-Q1", "2019-Q4")
    assert _codes(in_2019)[:2] == ["84", "84-CQ"]
    assert all(u.valid_to is None or u.valid_to.year >= 2019 for u in in_2019)
    assert not any(u.valid_from.year == 2025 for u in in_2019)  # Vĩnh Long's communes came later


def test_a_reused_code_selects_each_unit_that_bore_it_in_the_range(units: list[UnitInfo]) -> None:
    # 29242 was Phường 3 of Trà Vinh until 30/06/2025 and is Phường Trà Vinh from 01/07/2025.
    both = resolve_units(("29242",), False, units, "2025-Q2", "2025-Q3")
    assert [u.name for u in both] == ["Phường 3", "Phường Trà Vinh"]
    assert len(resolve_units(("29242",), False, units, "2019-Q1", "2019-Q4")) == 1


@pytest.mark.parametrize(
    ("codes", "children", "error"),
    [
        (("999",), False, "unknown_unit"),
        (("29461",), True, "no_children"),
        (("86",), False, "unknown_unit"),
    ],
)
def test_units_that_are_not_there_are_refused(
    units: list[UnitInfo], codes: tuple[str, ...], children: bool, error: str
) -> None:
    with pytest.raises(FilterError) as caught:
        resolve_units(codes, children, units, "2019-Q1", "2019-Q4")
    assert caught.value.code == error
    assert not caught.value.is_usage
    assert codes[0] in caught.value.message("vi")


def test_indicators_come_in_report_order_and_unknown_codes_are_refused(
    units: list[UnitInfo],
) -> None:
    cat = load_catalogue()
    sel = resolve(
        Filters(
            indicators=("dossiers_received", "doc_system_users"), first="2019-Q1", last="2019-Q1"
        ),
        cat,
        units,
    )
    assert sel.indicators == ("doc_system_users", "dossiers_received")
    everything = resolve(Filters(first="2019-Q1", last="2019-Q1"), cat, units)
    assert len(everything.indicators) == len([i for i in cat.indicators.values() if i.active])
    with pytest.raises(FilterError, match="unknown_indicator"):
        resolve(Filters(indicators=("no_such",), first="2019-Q1", last="2019-Q1"), cat, units)


def test_an_open_range_runs_from_the_first_to_the_last_quarter_with_figures(
    units: list[UnitInfo],
) -> None:
    sel = resolve(Filters(), load_catalogue(), units, ["2016-Q1", "2017-Q3", "2019-Q1"])
    assert (sel.first, sel.last) == ("2016-Q1", "2019-Q1")
    with pytest.raises(FilterError, match="no_data"):
        resolve(Filters(), load_catalogue(), units, [])


# -- in words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "sentence"),
    [
        (
            Filters(
                indicators=("dossiers_received",), units=DISTRICTS, first="2019-Q1", last="2020-Q4"
            ),
            "Hồ sơ tiếp nhận, 9 huyện, Quý I/2019 - Quý IV/2020, theo quý",
        ),
        (
            Filters(
                indicators=("dossiers_received",),
                units=DISTRICTS,
                first="2019-Q1",
                last="2020-Q4",
                lang="en",
            ),
            "Dossiers received, 9 districts, Q1 2019 - Q4 2020, quarterly",
        ),
        (
            Filters(
                indicators=("dossiers_received",),
                units=("849",),
                children=True,
                first="2019-Q1",
                last="2019-Q1",
            ),
            "Hồ sơ tiếp nhận, các xã, phường, thị trấn của Huyện Trà Cú, Quý I/2019, theo quý",
        ),
        (
            Filters(units=("84",), first="2019-Q1", last="2020-Q4", freq="year"),
            "tất cả chỉ tiêu, Trà Vinh, Năm 2019 - Năm 2020, theo năm",
        ),
        (
            Filters(
                indicators=("dossiers_received", "dossiers_resolved"),
                first="2018-Q2",
                last="2019-Q1",
                sources=True,
            ),
            "Hồ sơ tiếp nhận; Hồ sơ giải quyết, tất cả đơn vị, Quý II/2018 - Quý I/2019, theo quý, kèm nguồn",
        ),
        (
            Filters(
                indicators=(
                    "inspections",
                    "inspected_entities",
                    "entities_with_violations",
                    "complaints_received",
                ),
                units=("84",),
                first="2019-Q1",
                last="2019-Q1",
                history=True,
            ),
            "Thanh tra, kiểm tra và giải quyết đơn thư, Trà Vinh, Quý I/2019, theo quý, kèm giá trị đã sửa",
        ),
        (
            Filters(
                indicators=(
                    "inspections",
                    "inspected_entities",
                    "dossiers_received",
                    "complaints_received",
                ),
                units=("84", "84-CQ", "842", "844"),
                first="2019-Q1",
                last="2019-Q2",
            ),
            "4 chỉ tiêu, 1 tỉnh, 1 khối cơ quan cấp tỉnh, 2 huyện, Quý I/2019 - Quý II/2019, theo quý",
        ),
    ],
)
def test_the_filters_describe_themselves_in_a_sentence(
    units: list[UnitInfo], filters: Filters, sentence: str
) -> None:
    assert resolve(filters, load_catalogue(), units).describe() == sentence


def test_every_filter_is_written_out_in_words(units: list[UnitInfo]) -> None:
    sel = resolve(
        Filters(
            indicators=("dossiers_received",),
            units=("849",),
            children=True,
            first="2019-Q1",
            last="2019-Q4",
        ),
        load_catalogue(),
        units,
    )
    words = dict(sel.in_words("vi"))
    assert list(words) == [f.label("vi") for f in FIELDS]
    assert words["Chỉ tiêu"] == "Hồ sơ tiếp nhận"
    assert words["Đơn vị"] == "các xã, phường, thị trấn của Huyện Trà Cú"
    assert words["Từ quý"] == "Quý I/2019"
    assert words["Lấy đơn vị trực thuộc"] == "có"
    assert words["Dạng bảng"] == "bảng dọc"
    english = dict(sel.in_words("en"))
    assert english["Frequency"] == "quarterly"
    assert not any(re.search(r"export\.", v) for v in english.values())
