"""A published model version never changes, and the database itself holds to that.

Once a version is no longer a draft (published, or any later status), triggers refuse:

- inserting, updating or deleting its lines, and moving a line into or out of it;
- changing its own content (model, number, status, note, creation and publication
  times). Its ``created_by`` and ``published_by`` may only be cleared, which is what
  deleting that user does (``SET NULL``).

PostgreSQL: one trigger function per table, raising ``restrict_violation`` (an
IntegrityError in Django). The only way around them is a demo firm's reset, which throws
the whole firm away: the tables' owner (never the application's role) may delete the lines
of that firm's published versions in a transaction that has set ``app.firm_reset`` to the
firm's id (``models_library.services.firm_reset``). Row-level security is untouched: the
functions run as the role that writes, and read the version through its policy; a version
the writer cannot see is treated as not a draft.

SQLite: the same refusals for INSERT and UPDATE. Deleting lines is not refused there:
SQLite has no transaction-local setting for a reset to lift the refusal with, and the test
database is emptied with DELETE. SQLite's table rebuilds (some ALTER operations) drop
triggers: a later migration that rebuilds one of these two tables must create them again.
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION models_library_published_line_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    version_id bigint;
    version_status text;
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('app.firm_reset', true) = OLD.firm_id::text
       AND pg_has_role(
           current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER'
       ) THEN
        RETURN OLD;
    END IF;
    FOREACH version_id IN ARRAY (
        CASE TG_OP
            WHEN 'INSERT' THEN ARRAY[NEW.version_id]
            WHEN 'DELETE' THEN ARRAY[OLD.version_id]
            ELSE ARRAY[OLD.version_id, NEW.version_id]
        END
    ) LOOP
        SELECT status INTO version_status
          FROM models_library_modelversion WHERE id = version_id;
        IF version_status IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'model version % is %: its lines never change (% refused)',
                version_id, COALESCE(version_status, 'not a draft'), TG_OP
                USING ERRCODE = 'restrict_violation',
                      HINT = 'Save a new draft of the model and publish it.';
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER models_library_published_line_guard
    BEFORE INSERT OR UPDATE OR DELETE ON models_library_modelline
    FOR EACH ROW EXECUTE FUNCTION models_library_published_line_guard();

CREATE OR REPLACE FUNCTION models_library_published_version_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' AND (
        (NEW.id, NEW.firm_id, NEW.model_id, NEW.number, NEW.status, NEW.note,
         NEW.created_at, NEW.published_at)
            IS DISTINCT FROM
        (OLD.id, OLD.firm_id, OLD.model_id, OLD.number, OLD.status, OLD.note,
         OLD.created_at, OLD.published_at)
        OR (NEW.created_by_id IS DISTINCT FROM OLD.created_by_id AND NEW.created_by_id IS NOT NULL)
        OR (NEW.published_by_id IS DISTINCT FROM OLD.published_by_id
            AND NEW.published_by_id IS NOT NULL)
    ) THEN
        RAISE EXCEPTION 'model version % is %: it never changes', OLD.id, OLD.status
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Save a new draft of the model and publish it.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER models_library_published_version_guard
    BEFORE UPDATE ON models_library_modelversion
    FOR EACH ROW EXECUTE FUNCTION models_library_published_version_guard();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS models_library_published_version_guard ON models_library_modelversion;
DROP FUNCTION IF EXISTS models_library_published_version_guard();
DROP TRIGGER IF EXISTS models_library_published_line_guard ON models_library_modelline;
DROP FUNCTION IF EXISTS models_library_published_line_guard();
"""

SQLITE_CREATE = [
    """
    CREATE TRIGGER models_library_published_line_insert
    BEFORE INSERT ON models_library_modelline
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM models_library_modelversion
         WHERE id = NEW.version_id AND status <> 'draft'
    )
    BEGIN SELECT RAISE(ABORT, 'a published model version never changes: line refused'); END
    """,
    """
    CREATE TRIGGER models_library_published_line_update
    BEFORE UPDATE ON models_library_modelline
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM models_library_modelversion
         WHERE id IN (OLD.version_id, NEW.version_id) AND status <> 'draft'
    )
    BEGIN SELECT RAISE(ABORT, 'a published model version never changes: line refused'); END
    """,
    """
    CREATE TRIGGER models_library_published_version_update
    BEFORE UPDATE ON models_library_modelversion
    FOR EACH ROW WHEN OLD.status <> 'draft' AND (
        NEW.id IS NOT OLD.id OR NEW.firm_id IS NOT OLD.firm_id
        OR NEW.model_id IS NOT OLD.model_id OR NEW.number IS NOT OLD.number
        OR NEW.status IS NOT OLD.status OR NEW.note IS NOT OLD.note
        OR NEW.created_at IS NOT OLD.created_at OR NEW.published_at IS NOT OLD.published_at
        OR (NEW.created_by_id IS NOT OLD.created_by_id AND NEW.created_by_id IS NOT NULL)
        OR (NEW.published_by_id IS NOT OLD.published_by_id AND NEW.published_by_id IS NOT NULL)
    )
    BEGIN SELECT RAISE(ABORT, 'a published model version never changes'); END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS models_library_published_version_update",
    "DROP TRIGGER IF EXISTS models_library_published_line_update",
    "DROP TRIGGER IF EXISTS models_library_published_line_insert",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": [POSTGRES_CREATE], "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": [POSTGRES_DROP], "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [("models_library", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
