"""The schema is made by the Alembic migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from kpi import db
from kpi.models import Base


def _head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head
    return head


def test_upgrade_from_empty_to_head_creates_every_table(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        assert db.current_revision(engine) is None
        db.upgrade(engine)
        assert db.current_revision(engine) == _head()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as conn:
            assert db.data_version(conn) == 0
            # The models and the migrations describe the same schema (types aside: SQLite
            # keeps exact decimals as text, see kpi.models.ExactDecimal).
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        flat = [op for d in diff for op in (d if isinstance(d, list) else [d])]
        assert [op for op in flat if op[0] != "modify_type"] == []
        db.upgrade(engine)  # a second upgrade is a no-op
        assert db.current_revision(engine) == _head()
    finally:
        engine.dispose()
