"""The national benchmark database (``python -m benchmarks generate --scale national``), made
small: the same code path at a few provinces and quarters, on SQLite (executemany) and
PostgreSQL (COPY). The figures must obey the product's own rules, read back through the app's
query layer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from benchmarks import national
from kpi import db
from kpi.catalogue import load_catalogue
from kpi.models import ImportBatch, Indicator, Observation, Unit
from kpi.queries import Query, figures
from kpi.units import all_units

SMALL = national.Size(
    provinces=2, districts=3, communes=7, indicators=46, first="2019-Q3", last="2020-Q2"
)


def test_small_national_database_adds_up_and_is_marked_synthetic(db_url: str) -> None:
    made = national.build(db_url, SMALL, say=lambda _msg: None)
    assert made["current rows"] == national.expected_rows(SMALL)
    assert made["revised rows"] > 0
    engine = db.make_engine(db_url)
    try:
        with db.session_scope(engine) as session:
            units = all_units(session)
            codes = {u.code for u in units}
            assert {"N01", "N02", "N01-03", "N02-03-02"} <= codes
            assert "N01-03-03" not in codes  # 7 communes over 3 districts: 3, 2, 2
            # One current row per figure, every batch synthetic, revisions in history.
            counts = session.execute(
                select(Observation.is_current, func.count()).group_by(Observation.is_current)
            ).all()
            assert dict(counts) == {True: made["current rows"], False: made["revised rows"]}
            batches = session.scalars(select(ImportBatch)).all()
            assert batches and all(b.is_demo and "synthetic" in (b.note or "") for b in batches)
            assert sum(b.inserted for b in batches) == made["current rows"]
            extra = session.scalars(
                select(Indicator.code).where(Indicator.code.like("synthetic_%"))
            )
            assert list(extra) == ["synthetic_flow_01", "synthetic_flow_02", "synthetic_flow_03"]
            revised = session.execute(
                select(Observation.superseded_by_batch_id, Observation.batch_id).where(
                    Observation.is_current.is_(False)
                )
            ).all()
            assert all(s is not None and s != b for s, b in revised)
            # A district's stored flow is the sum of its communes, as the rollup would make it.
            district = session.scalars(select(Unit).where(Unit.code == "N01-02")).one()
            stored = session.execute(
                select(Observation.period, Observation.value).where(
                    Observation.is_current.is_(True),
                    Observation.unit_id == district.id,
                    Observation.indicator_code == "dossiers_received",
                )
            ).all()
            assert len(stored) == 4
            communes = [u.id for u in units if u.parent_id == district.id]
            sums = session.execute(
                select(Observation.period, Observation.value).where(
                    Observation.is_current.is_(True),
                    Observation.unit_id.in_(communes),
                    Observation.indicator_code == "dossiers_received",
                )
            ).all()
            by_period: dict[str, Decimal] = {}
            for period, value in sums:
                by_period[period] = by_period.get(period, Decimal(0)) + Decimal(value)
            assert {p: Decimal(v) for p, v in stored} == by_period
            # Levels are never summed: a percentage stays within 0-100 at every level.
            pct = session.execute(
                select(func.min(Observation.value), func.max(Observation.value)).where(
                    Observation.indicator_code == "e_document_share_pct"
                )
            ).one()
            assert 50 <= Decimal(pct[0]) <= Decimal(pct[1]) <= 100
            # The app reads a synthetic province through its one fetch.
            province = next(u for u in units if u.code == "N02")
            frame = figures(
                session,
                load_catalogue(),
                units,
                Query(("dossiers_received",), (province.id,), "2019-Q3", "2020-Q2", "year"),
            )
            assert list(frame["period"]) == ["2019", "2020"]
            assert not frame["complete"].any()  # half years: the sums are marked incomplete
    finally:
        engine.dispose()


def test_a_database_with_figures_is_refused(db_url: str) -> None:
    tiny = national.Size(
        provinces=1, districts=1, communes=1, indicators=43, first="2019-Q1", last="2019-Q1"
    )
    national.build(db_url, tiny, say=lambda _msg: None)
    with pytest.raises(national.NotEmpty):
        national.build(db_url, tiny, say=lambda _msg: None)


def test_not_enough_disk_is_refused_before_writing(tmp_path: object) -> None:
    huge = national.Size(provinces=10**9)
    url = f"sqlite:///{tmp_path}/huge.sqlite3"
    with pytest.raises(national.NoSpace, match="needs about"):
        national.build(url, huge, say=lambda _msg: None)


@pytest.mark.postgres
def test_a_failed_copy_leaves_the_table_empty_with_its_indexes(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PostgreSQL load drops the indexes (committed, so that its COPY streams do not wait
    on the lock), then writes on several connections: a stream that fails rolls every stream
    back and puts the indexes back."""
    from sqlalchemy import inspect

    tiny = national.Size(
        provinces=1, districts=2, communes=3, indicators=43, first="2019-Q1", last="2019-Q4"
    )
    sent: list[int] = []
    real = national._copy_csv

    def third_fails(columns: dict[str, object]) -> bytes:
        sent.append(1)
        data = real(columns)  # type: ignore[arg-type]
        return data if len(sent) != 3 else data + b"not,a,row\n"

    monkeypatch.setattr(national, "_copy_csv", third_fails)
    with pytest.raises(Exception, match=r"(?i)copy|missing data|invalid"):
        national.build(postgres_url, tiny, say=lambda _msg: None)
    engine = db.make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Observation)).scalar() == 0
        names = {i["name"] for i in inspect(engine).get_indexes("observation")}
        assert {str(ix.name) for ix in Observation.__table__.indexes} <= names
    finally:
        engine.dispose()
