"""On PostgreSQL, a second wall under the model layer's freeze (models/frozen.py): triggers
refuse any statement that changes or deletes a published revision, or a row of one, or
adds a row to one, whoever sends it (a raw query, a shell, another program). Publishing
is the one update a revision gets, from approved to published; a rendered file (PDF,
workbook) never changes.

SQLite has no such triggers here: there the model layer is the only wall.
"""

from django.db import migrations

# The rows of a disclosure: (model, the column that leads to it, the table it leads through)
ROWS = {
    "disclosure_id": (
        "passage", "tableexplanation", "prioryearfigure", "changereason", "procurementbudget",
        "assetholdings", "departmentsummaryrow", "departmentincomerow", "departmentexpenserow",
        "fiscalsummaryrow", "fiscalbyunitrow", "generalexpenserow", "generalbasicrow",
        "threepublicrow", "officerunningrow", "fundexpenserow", "capitalexpenserow",
        "departmentperformanceform", "project", "findingacknowledgement",
    ),
    "project_id": ("projectindicator", "keyproject"),
    "form_id": ("departmentindicator",),
}  # fmt: skip
THROUGH = {
    "disclosure_id": "",
    "project_id": "disclosures_project",
    "form_id": "disclosures_departmentperformanceform",
}

# A published revision's rendered files: frozen once their SHA-256 is set.
FILES = ("disclosures_disclosurepdf", "disclosures_disclosureworkbook")

FUNCTIONS = """
CREATE OR REPLACE FUNCTION disclosures_published(row_value anyelement, via_column text,
                                                 through text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
BEGIN
    EXECUTE format('SELECT ($1).%I', via_column) USING row_value INTO target;
    IF through <> '' AND target IS NOT NULL THEN
        EXECUTE format('SELECT disclosure_id FROM %I WHERE id = $1', through)
            USING target INTO target;
    END IF;
    RETURN EXISTS (
        SELECT 1 FROM disclosures_disclosure WHERE id = target AND status = 'published'
    );
END $$;

CREATE OR REPLACE FUNCTION disclosures_frozen_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND disclosures_published(OLD, TG_ARGV[0], TG_ARGV[1]) THEN
        RAISE EXCEPTION '已公开的版本不能修改或删除（%）', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND disclosures_published(NEW, TG_ARGV[0], TG_ARGV[1]) THEN
        RAISE EXCEPTION '已公开的版本不能增加内容（%）', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION disclosures_frozen_disclosure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION '已公开的版本不能修改或删除（%）', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION disclosures_frozen_file() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.sha256 <> '' THEN
        RAISE EXCEPTION '已生成的公开文件不能修改或删除（%）', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
"""


def statements():
    yield FUNCTIONS
    for column, models in ROWS.items():
        for model in models:
            table = f"disclosures_{model}"
            yield (
                f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION disclosures_frozen_row('{column}', "
                f"'{THROUGH[column]}')"
            )
    yield (
        "CREATE TRIGGER disclosures_disclosure_frozen BEFORE UPDATE OR DELETE "
        "ON disclosures_disclosure FOR EACH ROW EXECUTE FUNCTION disclosures_frozen_disclosure()"
    )
    for table in FILES:
        yield (
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION disclosures_frozen_file()"
        )


def drop_statements():
    for models in ROWS.values():
        for model in models:
            yield f"DROP TRIGGER IF EXISTS disclosures_{model}_frozen ON disclosures_{model}"
    yield "DROP TRIGGER IF EXISTS disclosures_disclosure_frozen ON disclosures_disclosure"
    for table in FILES:
        yield f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}"
    yield (
        "DROP FUNCTION IF EXISTS disclosures_frozen_row, disclosures_frozen_disclosure, "
        "disclosures_frozen_file, disclosures_published"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements():
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in drop_statements():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0008_audit_and_integrity")]

    operations = [migrations.RunPython(create, drop)]
