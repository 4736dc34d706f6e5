"""The domain data files, read raw: data/indicators.toml, data/units.csv, data/unit_lineage.csv.

These tests import nothing from the project: they check the files a catalogue editor changes by
hand against the facts of the Q1/2019 report and the official unit lists
(../shared/domain/seed-figures-q1-2019.md, ../shared/domain/units-tra-vinh.md).
"""

from __future__ import annotations

import csv
import itertools
import re
import tomllib
import unicodedata
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
SHARED_DOMAIN = Path(__file__).resolve().parent.parent.parent / "shared" / "domain"

# ---------------------------------------------------------------------------------------------
# Facts of the Q1/2019 report (seed-figures-q1-2019.md): code -> value
# ---------------------------------------------------------------------------------------------

SEED_FIGURES: dict[str, int] = {
    "directive_docs_issued": 50,
    "press_directive_docs": 9,
    "publishing_licences_issued": 9,
    "egame_point_certificates": 10,
    "dedicated_network_agencies": 27,
    "doc_system_users": 7848,
    "e_document_share_pct": 90,
    "e_documents_exchanged": 28474,
    "digital_certificates_active": 479,
    "digital_certificates_org": 453,
    "digital_certificates_person": 26,
    "email_accounts_new": 27,
    "email_accounts_total": 6339,
    "portal_languages": 3,
    "portal_component_sites": 41,
    "one_stop_units_province": 18,
    "one_stop_units_district": 9,
    "one_stop_units_commune": 106,
    "admin_procedures_listed": 1931,
    "dossiers_received": 38751,
    "dossiers_resolved": 38584,
    "online_services_l3": 306,
    "online_services_l4": 210,
    "l3_dossiers_direct": 3797,
    "l3_dossiers_online": 124,
    "l4_dossiers_direct": 2219,
    "l4_dossiers_online": 494,
    "complaints_received": 1,
    "inspections": 1,
    "inspected_entities": 16,
    "entities_with_violations": 10,
    "portal_articles_posted": 101,
    "articles_translated_en": 42,
    "articles_translated_km": 64,
    "citizen_questions_received": 7,
    "draft_docs_for_comment": 13,
    "legal_docs_published": 88,
    "expired_banners_removed": 7,
}

# The derived figures of the report and their Q1/2019 values (ratios in percent, 2 decimals).
SEED_DERIVED: dict[str, Decimal] = {
    "online_services_total": Decimal("516"),
    "dossier_resolution_rate": Decimal("99.57"),
    "online_dossier_rate_l3": Decimal("3.16"),
    "online_dossier_rate_l4": Decimal("18.21"),
    "online_dossier_rate": Decimal("9.32"),
    "l4_service_share": Decimal("40.70"),
}

# The kinds the report gives its figures.
SEED_KINDS_NOT_FLOW = {
    "dedicated_network_agencies": "stock",
    "doc_system_users": "stock",
    "e_document_share_pct": "level",
    "digital_certificates_active": "stock",
    "digital_certificates_org": "stock",
    "digital_certificates_person": "stock",
    "email_accounts_total": "stock",
    "portal_languages": "level",
    "portal_component_sites": "stock",
    "one_stop_units_province": "stock",
    "one_stop_units_district": "stock",
    "one_stop_units_commune": "stock",
    "admin_procedures_listed": "stock",
    "online_services_l3": "stock",
    "online_services_l4": "stock",
}

KEY_INDICATORS = {
    "doc_system_users",
    "e_document_share_pct",
    "e_documents_exchanged",
    "dossiers_received",
    "dossiers_resolved",
    "online_services_total",
    "dossier_resolution_rate",
    "online_dossier_rate",
    "email_accounts_total",
    "digital_certificates_active",
}

ALL_LEVELS = ["province", "agencies", "district", "commune"]
ONE_STOP_BREAKDOWN = {
    "dossiers_received",
    "dossiers_resolved",
    "dossiers_resolved_on_time",
    "dossiers_resolved_late",
    "dossiers_received_online",
    "dossiers_received_direct",
    "dossiers_pending",
    "dossier_on_time_rate",
    "dossier_online_share",
}

GROUPS = ["documents", "email_portal", "one_stop", "inspection", "press"]
KINDS = {"flow", "stock", "level", "ratio"}
DIRECTIONS = {"up", "down", "neutral"}
RULE_KINDS = {"parts_le_total", "parts_eq_total", "part_le_total"}
INDICATOR_FIELDS = {
    "code", "group", "order", "name_vi", "name_en", "unit_vi", "unit_en", "kind", "direction",
    "decimals", "levels", "key", "definition_vi", "definition_en", "definition_version",
    "formula", "numerator", "denominator", "percent", "history_check", "at_most_units",
}  # fmt: skip
REQUIRED_FIELDS = INDICATOR_FIELDS - {
    "key", "formula", "numerator", "denominator", "percent", "history_check", "at_most_units",
}  # fmt: skip
TEXT_FIELDS = ["name_vi", "name_en", "unit_vi", "unit_en", "definition_vi", "definition_en"]
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

UNIT_COLUMNS = ["code", "valid_from", "valid_to", "name", "type", "level", "parent_code"]
LINEAGE_COLUMNS = [
    "predecessor_code", "predecessor_valid_from", "successor_code", "successor_valid_from",
    "relation", "date", "legal_act",
]  # fmt: skip
CODE_PATTERN = {
    "province": re.compile(r"^\d{2}$"),
    "agencies": re.compile(r"^\d{2}-CQ$"),
    "district": re.compile(r"^\d{3}$"),
    "commune": re.compile(r"^\d{5}$"),
}
TYPES_BY_LEVEL = {
    "province": {"tinh"},
    "agencies": {"co_quan"},
    "district": {"thanh_pho", "huyen", "thi_xa"},
    "commune": {"phuong", "thi_tran", "xa"},
}
NAME_PREFIX = {
    "thanh_pho": "Thành phố ",
    "huyen": "Huyện ",
    "thi_xa": "Thị xã ",
    "phuong": "Phường ",
    "thi_tran": "Thị trấn ",
    "xa": "Xã ",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Commune-level units per district on 2019-03-31 (units-tra-vinh.md).
DISTRICT_COMMUNES_2019 = {
    "842": 10,
    "844": 14,
    "845": 11,
    "846": 11,
    "847": 14,
    "848": 15,
    "849": 17,
    "850": 7,
    "851": 7,
}


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------


@cache
def catalogue() -> dict[str, Any]:
    with (DATA / "indicators.toml").open("rb") as f:
        return tomllib.load(f)


def indicators() -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in catalogue()["indicator"]}


def read_csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@cache
def _unit_rows() -> tuple[list[str], tuple[dict[str, str], ...]]:
    header, rows = read_csv("units.csv")
    return header, tuple(rows)


def units() -> tuple[dict[str, str], ...]:
    return _unit_rows()[1]


def lineage() -> list[dict[str, str]]:
    return read_csv("unit_lineage.csv")[1]


def valid_on(unit: dict[str, str], day: str) -> bool:
    return (not unit["valid_from"] or unit["valid_from"] <= day) and (
        not unit["valid_to"] or day <= unit["valid_to"]
    )


def units_on(day: str, level: str | None = None) -> list[dict[str, str]]:
    return [u for u in units() if valid_on(u, day) and (level is None or u["level"] == level)]


def unit_row(code: str, valid_from: str) -> dict[str, str] | None:
    matches = [u for u in units() if u["code"] == code and u["valid_from"] == valid_from]
    return matches[0] if matches else None


def is_nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


# ---------------------------------------------------------------------------------------------
# The indicator catalogue
# ---------------------------------------------------------------------------------------------


def test_catalogue_file_is_nfc_utf8() -> None:
    text = (DATA / "indicators.toml").read_text(encoding="utf-8")
    assert is_nfc(text)
    assert isinstance(catalogue()["catalogue_version"], str) and catalogue()["catalogue_version"]


def test_groups_are_exactly_the_five_in_order() -> None:
    groups = sorted(catalogue()["group"], key=lambda g: g["order"])
    assert [g["code"] for g in groups] == GROUPS
    assert len({g["order"] for g in groups}) == len(groups)
    for g in groups:
        for field in ("name_vi", "name_en"):
            assert g[field].strip() and is_nfc(g[field]), (g["code"], field)


def test_indicator_codes_are_unique_snake_case() -> None:
    codes = [i["code"] for i in catalogue()["indicator"]]
    duplicates = [c for c, n in Counter(codes).items() if n > 1]
    assert not duplicates
    assert [c for c in codes if not SNAKE.match(c)] == []


@pytest.mark.parametrize("code", sorted(SEED_FIGURES))
def test_every_seed_figure_has_an_indicator_of_its_kind(code: str) -> None:
    ind = indicators()[code]
    assert ind["kind"] == SEED_KINDS_NOT_FLOW.get(code, "flow")
    assert "formula" not in ind, "a figure of the report is typed in, not derived"


@pytest.mark.parametrize("code", sorted(SEED_DERIVED))
def test_every_derived_figure_of_the_report_is_in_the_catalogue(code: str) -> None:
    ind = indicators()[code]
    assert "formula" in ind or ind["kind"] == "ratio"


@pytest.mark.parametrize("code", sorted(SEED_DERIVED))
def test_derived_figures_reproduce_the_report(code: str) -> None:
    """Computing each derived figure from the catalogue's definition gives the report's value."""
    ind = indicators()[code]

    def total(codes: list[str]) -> Decimal:
        return sum((Decimal(SEED_FIGURES[c]) for c in codes), Decimal(0))

    if ind["kind"] == "ratio":
        value = total(ind["numerator"]) / total(ind["denominator"]) * 100
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    else:
        value = total(ind["formula"])
    assert value == SEED_DERIVED[code]


SEED_TABLE = Path(__file__).resolve().parent.parent / "data" / "demo" / "seed-figures-q1-2019.md"


def test_the_repository_keeps_the_shared_decoded_table() -> None:
    """data/demo holds a copy of the decoded seed table so that these tests never skip; where
    the shared folder is beside the repository, the copy is the same text."""
    shared = SHARED_DOMAIN / "seed-figures-q1-2019.md"
    if shared.exists():
        assert SEED_TABLE.read_bytes() == shared.read_bytes()
    assert "| doc_system_users |" in SEED_TABLE.read_text(encoding="utf-8")


def test_seed_names_are_the_catalogue_names() -> None:
    """The report's table is the source of the names; '… of which' names were made standalone."""
    text = SEED_TABLE.read_text(encoding="utf-8")
    table = re.findall(r"^\| ([a-z][a-z0-9_]+) \| ([^|]+) \| ([^|]+) \| \d+ \|", text, re.M)
    assert {c for c, _, _ in table} == set(SEED_FIGURES)
    for code, name_vi, name_en in table:
        ind = indicators()[code]
        assert ind["name_vi"] == name_vi.strip(), code
        if not name_en.startswith("…"):
            assert ind["name_en"] == name_en.replace("(%)", "").strip(), code


@pytest.mark.parametrize("code", sorted(c["code"] for c in catalogue()["indicator"]))
def test_indicator_is_complete_and_valid(code: str) -> None:
    ind = indicators()[code]
    assert set(ind) <= INDICATOR_FIELDS, f"unknown fields {set(ind) - INDICATOR_FIELDS}"
    assert set(ind) >= REQUIRED_FIELDS, f"missing fields {REQUIRED_FIELDS - set(ind)}"
    for field in TEXT_FIELDS:
        value = ind[field]
        assert isinstance(value, str) and value.strip() == value and value, field
        assert is_nfc(value), field
    assert ind["definition_version"].strip()
    assert ind["group"] in GROUPS
    assert ind["kind"] in KINDS
    assert ind["direction"] in DIRECTIONS
    assert isinstance(ind["order"], int) and ind["order"] > 0
    assert isinstance(ind["decimals"], int) and 0 <= ind["decimals"] <= 4
    levels = ind["levels"]
    assert levels and len(set(levels)) == len(levels) and set(levels) <= set(ALL_LEVELS)
    assert "province" in levels
    assert isinstance(ind.get("key", False), bool)
    assert isinstance(ind.get("percent", False), bool)


@pytest.mark.parametrize("field", ["name_vi", "name_en"])
def test_indicator_names_are_unique(field: str) -> None:
    names = Counter(i[field] for i in catalogue()["indicator"])
    assert [n for n, k in names.items() if k > 1] == []


def test_orders_within_a_group_are_unique() -> None:
    keys = Counter((i["group"], i["order"]) for i in catalogue()["indicator"])
    assert [k for k, n in keys.items() if n > 1] == []


def test_every_group_has_indicators() -> None:
    assert {i["group"] for i in catalogue()["indicator"]} == set(GROUPS)


def test_key_indicators_are_the_overview_cards() -> None:
    assert {c for c, i in indicators().items() if i.get("key")} == KEY_INDICATORS


@pytest.mark.parametrize("code", sorted(c for c, i in indicators().items() if i["kind"] == "ratio"))
def test_ratio_is_a_numerator_over_a_denominator(code: str) -> None:
    ind = indicators()[code]
    assert "formula" not in ind
    assert ind["numerator"] and ind["denominator"]
    assert ind.get("percent") is True and ind["decimals"] == 2 and ind["unit_vi"] == "%"
    for part in ind["numerator"] + ind["denominator"]:
        assert part in indicators(), part
        assert part != code
        assert indicators()[part]["kind"] in {"flow", "stock"}, "a ratio sums counts, never %"
    assert len(set(ind["denominator"])) == len(ind["denominator"])


@pytest.mark.parametrize("code", sorted(c for c, i in indicators().items() if "formula" in i))
def test_formula_is_a_sum_of_figures_of_the_same_kind(code: str) -> None:
    ind = indicators()[code]
    assert ind["kind"] in {"flow", "stock"}
    assert "numerator" not in ind and "denominator" not in ind
    assert len(ind["formula"]) >= 2
    for part in ind["formula"]:
        assert part in indicators() and part != code
        assert indicators()[part]["kind"] == ind["kind"]
        assert "formula" not in indicators()[part]


def test_only_ratios_have_numerators() -> None:
    wrong = [
        c
        for c, i in indicators().items()
        if i["kind"] != "ratio" and ("numerator" in i or "denominator" in i)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "code", sorted(c for c, i in indicators().items() if "formula" in i or i["kind"] == "ratio")
)
def test_derived_figure_is_only_shown_where_its_parts_are_reported(code: str) -> None:
    ind = indicators()[code]
    parts = ind.get("formula", []) + ind.get("numerator", []) + ind.get("denominator", [])
    for part in parts:
        assert set(ind["levels"]) <= set(indicators()[part]["levels"]), part


def test_percent_only_where_a_percentage_is_shown() -> None:
    flagged = {c for c, i in indicators().items() if i.get("percent")}
    ratios = {c for c, i in indicators().items() if i["kind"] == "ratio"}
    assert flagged == ratios | {"e_document_share_pct"}
    assert indicators()["e_document_share_pct"]["kind"] == "level"


def test_one_stop_figures_are_broken_down_by_unit() -> None:
    for code in ONE_STOP_BREAKDOWN:
        assert indicators()[code]["levels"] == ALL_LEVELS, code
    for code in ("doc_system_users", "email_accounts_total"):
        assert indicators()[code]["levels"] == ["province", "agencies", "district"], code


def test_new_one_stop_figures_and_rates() -> None:
    ind = indicators()
    assert ind["dossiers_pending"]["kind"] == "stock"
    assert ind["dossiers_resolved_late"]["direction"] == "down"
    assert ind["dossier_on_time_rate"]["name_vi"] == "Tỷ lệ hồ sơ giải quyết đúng hạn"
    assert ind["dossier_on_time_rate"]["numerator"] == ["dossiers_resolved_on_time"]
    assert ind["dossier_on_time_rate"]["denominator"] == ["dossiers_resolved"]
    assert ind["dossier_online_share"]["numerator"] == ["dossiers_received_online"]
    assert ind["dossier_online_share"]["denominator"] == ["dossiers_received"]


def test_resolution_ratio_is_not_called_an_on_time_rate() -> None:
    ind = indicators()["dossier_resolution_rate"]
    assert ind["numerator"] == ["dossiers_resolved"]
    assert ind["denominator"] == ["dossiers_received"]
    assert "đúng hạn" not in ind["name_vi"].lower()
    assert "on time" not in ind["name_en"].lower() and "on-time" not in ind["name_en"].lower()
    assert "ratio" in ind["name_en"].lower() and "tỷ số" in ind["name_vi"].lower()


@pytest.mark.parametrize(
    ("code", "direction"),
    [
        ("complaints_received", "neutral"),
        ("entities_with_violations", "down"),
        ("expired_banners_removed", "neutral"),
        ("dossiers_resolved_late", "down"),
        ("dossiers_received", "up"),
        ("online_dossier_rate", "up"),
    ],
)
def test_direction(code: str, direction: str) -> None:
    assert indicators()[code]["direction"] == direction


def test_online_service_levels_carry_their_decree() -> None:
    """Levels 3 and 4 ended with Decree 42/2022: a series must say which definition it follows."""
    for code, ind in indicators().items():
        if "online_services" in code or code.startswith(("l3_", "l4_", "online_dossier_rate")):
            assert "43/2011" in ind["definition_version"], code


def test_rules_are_valid() -> None:
    rules = catalogue()["rule"]
    assert len({r["code"] for r in rules}) == len(rules)
    for rule in rules:
        assert SNAKE.match(rule["code"])
        assert rule["kind"] in RULE_KINDS
        assert rule["parts"] and len(set(rule["parts"])) == len(rule["parts"])
        total = indicators()[rule["total"]]
        for part in rule["parts"]:
            assert part in indicators() and part != rule["total"], (rule["code"], part)
            assert indicators()[part]["kind"] == total["kind"] in {"flow", "stock"}, rule["code"]


@pytest.mark.parametrize(
    ("kind", "total", "parts"),
    [
        ("parts_le_total", "digital_certificates_active",
         ["digital_certificates_org", "digital_certificates_person"]),
        ("parts_eq_total", "dossiers_received",
         ["dossiers_received_online", "dossiers_received_direct"]),
        ("parts_eq_total", "dossiers_resolved",
         ["dossiers_resolved_on_time", "dossiers_resolved_late"]),
        ("part_le_total", "inspected_entities", ["entities_with_violations"]),
        ("part_le_total", "dossiers_received",
         ["l3_dossiers_online", "l3_dossiers_direct", "l4_dossiers_online", "l4_dossiers_direct"]),
        ("part_le_total", "portal_articles_posted",
         ["articles_translated_en", "articles_translated_km"]),
    ],
)  # fmt: skip
def test_consistency_rule_exists(kind: str, total: str, parts: list[str]) -> None:
    found = [
        r
        for r in catalogue()["rule"]
        if r["kind"] == kind and r["total"] == total and sorted(r["parts"]) == sorted(parts)
    ]
    assert len(found) == 1


def test_seed_figures_satisfy_the_rules() -> None:
    for rule in catalogue()["rule"]:
        if rule["total"] not in SEED_FIGURES or not set(rule["parts"]) <= set(SEED_FIGURES):
            continue
        total = SEED_FIGURES[rule["total"]]
        parts = [SEED_FIGURES[p] for p in rule["parts"]]
        if rule["kind"] == "parts_le_total":
            assert sum(parts) <= total, rule["code"]
        elif rule["kind"] == "parts_eq_total":
            assert sum(parts) == total, rule["code"]
        else:
            assert max(parts) <= total, rule["code"]


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


def test_units_header() -> None:
    assert _unit_rows()[0] == UNIT_COLUMNS
    assert not (DATA / "units.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("name", ["units.csv", "unit_lineage.csv"])
def test_csv_text_is_nfc_and_trimmed(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    assert is_nfc(text)
    for row in read_csv(name)[1]:
        for column, value in row.items():
            assert value is not None and value == value.strip(), (column, row)


def test_unit_rows_are_well_formed() -> None:
    for u in units():
        assert u["level"] in CODE_PATTERN, u
        assert CODE_PATTERN[u["level"]].match(u["code"]), u
        assert u["type"] in TYPES_BY_LEVEL[u["level"]], u
        assert u["name"], u
        if u["type"] in NAME_PREFIX:
            assert u["name"].startswith(NAME_PREFIX[u["type"]]), u
        for column in ("valid_from", "valid_to"):
            assert not u[column] or ISO_DATE.match(u[column]), u
        if u["valid_from"] and u["valid_to"]:
            assert u["valid_from"] <= u["valid_to"], u
        assert bool(u["parent_code"]) == (u["level"] != "province"), u


def test_code_and_valid_from_identify_a_unit() -> None:
    keys = Counter((u["code"], u["valid_from"]) for u in units())
    assert [k for k, n in keys.items() if n > 1] == []


def test_versions_of_a_code_do_not_overlap() -> None:
    by_code: dict[str, list[dict[str, str]]] = {}
    for u in units():
        by_code.setdefault(u["code"], []).append(u)
    for code, versions in by_code.items():
        versions.sort(key=lambda u: u["valid_from"])
        for earlier, later in itertools.pairwise(versions):
            assert earlier["valid_to"] and earlier["valid_to"] < later["valid_from"], code


def test_every_parent_exists_for_the_whole_life_of_its_child() -> None:
    for u in units():
        if not u["parent_code"]:
            continue
        parents = [p for p in units() if p["code"] == u["parent_code"]]
        covering = [
            p
            for p in parents
            if (not p["valid_from"] or (u["valid_from"] and p["valid_from"] <= u["valid_from"]))
            and (not p["valid_to"] or (u["valid_to"] and u["valid_to"] <= p["valid_to"]))
        ]
        assert len(covering) == 1, u
        parent = covering[0]
        expected_parent_level = {"agencies": "province", "district": "province"}.get(u["level"])
        if u["level"] == "commune":
            assert parent["level"] in {"district", "province"}, u
        else:
            assert parent["level"] == expected_parent_level, u


def test_agencies_code_is_the_province_code() -> None:
    """84-CQ is the product's own code; GSO district codes (850, 851) carry no province prefix."""
    for u in units():
        if u["level"] == "agencies":
            assert u["code"] == f"{u['parent_code']}-CQ", u


@pytest.mark.parametrize(
    ("day", "provinces", "agencies", "districts", "communes"),
    [
        ("2019-03-31", ["84"], 1, 9, 106),
        ("2024-12-31", ["84"], 1, 9, 106),
        ("2025-01-01", ["84"], 1, 9, 104),
        ("2025-06-30", ["84"], 1, 9, 104),
        ("2025-07-01", ["86"], 0, 0, 41),
        ("2030-01-01", ["86"], 0, 0, 41),
    ],
)
def test_units_valid_on(
    day: str, provinces: list[str], agencies: int, districts: int, communes: int
) -> None:
    assert [u["code"] for u in units_on(day, "province")] == provinces
    assert len(units_on(day, "agencies")) == agencies
    assert len(units_on(day, "district")) == districts
    assert len(units_on(day, "commune")) == communes


def test_units_of_2019_by_district() -> None:
    districts = {u["code"]: u["name"] for u in units_on("2019-03-31", "district")}
    assert districts["842"] == "Thành phố Trà Vinh"
    assert districts["851"] == "Thị xã Duyên Hải"
    assert districts["850"] == "Huyện Duyên Hải"
    counts = Counter(u["parent_code"] for u in units_on("2019-03-31", "commune"))
    assert dict(counts) == DISTRICT_COMMUNES_2019
    types = Counter(u["type"] for u in units_on("2019-03-31", "commune"))
    assert types == {"phuong": 11, "thi_tran": 10, "xa": 85}
    agencies = units_on("2019-03-31", "agencies")
    assert [(a["code"], a["parent_code"]) for a in agencies] == [("84-CQ", "84")]


def test_units_after_the_2025_reform() -> None:
    new = units_on("2025-07-01", "commune")
    assert Counter(u["type"] for u in new) == {"xa": 35, "phuong": 6}
    assert {u["parent_code"] for u in new} == {"86"}
    assert {u["valid_from"] for u in new} == {"2025-07-01"}
    assert units_on("2025-07-01", "province")[0]["name"] == "Vĩnh Long"


@pytest.mark.parametrize(
    ("code", "day", "name"),
    [
        ("29242", "2019-03-31", "Phường 3"),
        ("29242", "2025-07-01", "Phường Trà Vinh"),  # a code reused after a merger
        ("29431", "2019-03-31", "Xã Vĩnh Kim"),
        ("29431", "2025-07-01", "Xã Vinh Kim"),  # renamed in 2025
        ("29320", "2019-03-31", "Xã Hoà Tân"),  # tone mark kept as the source writes it
        ("29386", "2019-03-31", "Xã Lương Hoà A"),
        ("29389", "2019-03-31", "Xã Lương Hòa"),
        ("29254", "2025-07-01", "Phường Nguyệt Hóa"),
        ("29410", "2025-07-01", "Xã Hòa Minh"),  # kept, under a new parent
        ("29462", "2019-03-31", "Thị trấn Định An"),
        ("29494", "2019-03-31", "Xã Định An"),
        ("29512", "2019-03-31", "Phường 1"),
        ("29239", "2019-03-31", "Phường 1"),
    ],
)
def test_unit_name_on(code: str, day: str, name: str) -> None:
    [unit] = [u for u in units_on(day) if u["code"] == code]
    assert unit["name"] == name


def test_phuong_2_and_6_of_tra_vinh_end_in_2024() -> None:
    ended = {u["code"]: u["valid_to"] for u in units() if u["valid_to"] == "2024-12-31"}
    assert ended == {"29245": "2024-12-31", "29251": "2024-12-31"}


# ---------------------------------------------------------------------------------------------
# Lineage
# ---------------------------------------------------------------------------------------------


def test_lineage_header() -> None:
    assert read_csv("unit_lineage.csv")[0] == LINEAGE_COLUMNS


def test_lineage_references_resolve() -> None:
    for link in lineage():
        assert link["relation"] in {"merged_into", "abolished", "renamed"}, link
        assert ISO_DATE.match(link["date"]) and link["legal_act"], link
        pred = unit_row(link["predecessor_code"], link["predecessor_valid_from"])
        assert pred is not None, link
        assert pred["valid_to"] and pred["valid_to"] < link["date"], link
        if link["relation"] == "abolished":
            assert link["successor_code"] == link["successor_valid_from"] == "", link
            continue
        succ = unit_row(link["successor_code"], link["successor_valid_from"])
        assert succ is not None, link
        assert valid_on(succ, link["date"]), link
        assert succ["level"] == pred["level"], link


def test_every_ended_unit_has_its_fate_recorded() -> None:
    """No unit disappears silently: each one with a valid_to has exactly one lineage row."""
    fates = Counter(
        (link["predecessor_code"], link["predecessor_valid_from"]) for link in lineage()
    )
    ended = {(u["code"], u["valid_from"]) for u in units() if u["valid_to"]}
    assert set(fates) == ended
    assert [k for k, n in fates.items() if n > 1] == []


def test_every_old_commune_of_june_2025_has_one_new_unit() -> None:
    old = units_on("2025-06-30", "commune")
    assert len(old) == 104
    new_keys = {(u["code"], u["valid_from"]) for u in units_on("2025-07-01", "commune")}
    for u in old:
        links = [
            link
            for link in lineage()
            if (link["predecessor_code"], link["predecessor_valid_from"])
            == (u["code"], u["valid_from"])
        ]
        assert len(links) == 1, u
        [link] = links
        assert (link["successor_code"], link["successor_valid_from"]) in new_keys, link
        assert link["date"] == "2025-07-01" and link["legal_act"] == "1687/NQ-UBTVQH15"


def test_every_new_unit_has_predecessors() -> None:
    successors = Counter(
        (link["successor_code"], link["successor_valid_from"])
        for link in lineage()
        if link["successor_valid_from"] == "2025-07-01"
    )
    for u in units_on("2025-07-01", "commune"):
        assert successors[(u["code"], u["valid_from"])] >= 1, u
    assert sum(successors.values()) == 104 + 1  # the communes and the province


@pytest.mark.parametrize(
    ("new_code", "old_codes"),
    [
        ("29242", {"29239", "29242", "29260"}),
        ("29254", {"29254", "29257", "29395"}),  # across two old districts
        ("29398", {"29248", "29398"}),  # across two old districts
        ("29530", {"29530", "29458"}),  # across two old districts
        ("29410", {"29410"}),
        ("29431", {"29431", "29434"}),
    ],
)
def test_merger_predecessors(new_code: str, old_codes: set[str]) -> None:
    found = {
        link["predecessor_code"]
        for link in lineage()
        if link["successor_code"] == new_code and link["successor_valid_from"] == "2025-07-01"
    }
    assert found == old_codes


def test_the_2025_january_merger_in_tra_vinh_city() -> None:
    links = [link for link in lineage() if link["date"] == "2025-01-01"]
    assert sorted((link["predecessor_code"], link["successor_code"]) for link in links) == [
        ("29245", "29242"),
        ("29251", "29242"),
    ]
    assert {link["legal_act"] for link in links} == {"1277/NQ-UBTVQH15"}
    assert {link["successor_valid_from"] for link in links} == {""}


def test_province_merged_and_districts_abolished() -> None:
    by_pred = {link["predecessor_code"]: link for link in lineage()}
    province = by_pred["84"]
    assert (province["successor_code"], province["relation"]) == ("86", "merged_into")
    assert province["legal_act"] == "202/2025/QH15"
    for code in DISTRICT_COMMUNES_2019:
        assert by_pred[code]["relation"] == "abolished"
        assert by_pred[code]["legal_act"] == "72/2025/QH15"
    assert by_pred["84-CQ"]["relation"] == "abolished"
    assert by_pred["84-CQ"]["legal_act"] == "202/2025/QH15"
