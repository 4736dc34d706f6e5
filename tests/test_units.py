"""Finding units by code or by name, as staff type them (DESIGN.md section 5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kpi import db
from kpi.units import UnitDirectory, UnitMatchError, all_units


@pytest.fixture(scope="module")
def q1_2019(demo_db: Path) -> UnitDirectory:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
    finally:
        engine.dispose()
    return UnitDirectory(units, dt.date(2019, 1, 1), dt.date(2019, 3, 31))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Trà Cú", "849"),
        ("TRÀ CÚ", "849"),
        ("Tra Cu", "849"),
        ("huyện Trà Cú", "849"),
        ("H. Trà Cú", "849"),
        ("Tra\u0300 Cu\u0301", "849"),  # NFD
        ("Thị xã Duyên Hải", "851"),
        ("TX Duyên Hải", "851"),
        ("Huyện Duyên Hải", "850"),
        ("TP Trà Vinh", "842"),
    ],
)
def test_a_district_is_found_by_any_spelling_of_its_name(
    q1_2019: UnitDirectory, name: str, code: str
) -> None:
    assert q1_2019.find(name=name, levels=("district",)).code == code


def test_a_bare_name_that_fits_two_districts_asks_for_the_code(q1_2019: UnitDirectory) -> None:
    with pytest.raises(UnitMatchError) as info:
        q1_2019.find(name="Duyên Hải", levels=("district",))
    assert info.value.code == "ambiguous_unit"
    assert {u.code for u in info.value.candidates} == {"850", "851"}


@pytest.mark.parametrize(
    ("district", "name", "code"),
    [
        ("842", "Phường 1", "29239"),
        ("851", "Phường 1", "29512"),  # the same name in another district
        ("849", "Thị trấn Định An", "29462"),
        ("849", "Xã Định An", "29494"),
    ],
)
def test_a_commune_is_found_within_its_district(
    q1_2019: UnitDirectory, district: str, name: str, code: str
) -> None:
    assert q1_2019.find(name=name, within=q1_2019.by_code[district]).code == code


def test_a_commune_name_that_fits_two_units_of_a_district_asks_for_the_code(
    q1_2019: UnitDirectory,
) -> None:
    with pytest.raises(UnitMatchError) as info:
        q1_2019.find(name="Định An", within=q1_2019.by_code["849"])
    assert info.value.code == "ambiguous_unit"


@pytest.mark.parametrize("code", [842, 842.0, " 842 ", "842"])
def test_a_code_typed_as_a_number_is_a_code(q1_2019: UnitDirectory, code: object) -> None:
    assert q1_2019.find(code=code).name == "Thành phố Trà Vinh"


def test_a_unit_that_did_not_exist_in_the_quarter_is_unknown(q1_2019: UnitDirectory) -> None:
    with pytest.raises(UnitMatchError):
        q1_2019.find(code="86")  # Vĩnh Long exists from 01/07/2025
