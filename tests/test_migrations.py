"""The migrations, applied to an empty database, build exactly what the models describe."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from remiss.extensions import db
from tests.conftest import empty_schema
from tests.test_scale_query_plans import TRIGRAM_INDEXES, trigram_index_definitions


def test_migrations_on_an_empty_database_match_the_models(app):
    with app.app_context():
        empty_schema()
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            with warnings.catch_warnings():
                # SQLite cannot reflect expression indexes; the search's trigram indexes are
                # PostgreSQL's only (``core.sql.trigram_index``) and compared there.
                if db.engine.dialect.name == "sqlite":
                    warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
                differences = compare_metadata(context, db.metadata)
        assert differences == []
        if db.engine.dialect.name == "postgresql":
            # Alembic compares an index's expression, not its access method or operator class.
            assert trigram_index_definitions() == TRIGRAM_INDEXES


def test_migrations_downgrade_to_nothing_and_up_again(app):
    with app.app_context():
        empty_schema()
        upgrade()
        downgrade(revision="base")
        tables = set(db.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "round" in db.inspect(db.engine).get_table_names()
