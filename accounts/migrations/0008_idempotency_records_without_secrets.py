"""Replay records stored before answers with secrets were kept without them: an API key
issued with an ``Idempotency-Key`` was stored whole. Its key is removed, as it is now."""

import json

from django.db import migrations

SHOWN_ONCE = (
    "Already created; the secret was shown once, in the first answer, and is not stored: "
    "if it was lost, revoke this and issue another."
)


def _without_key(body: str) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not (isinstance(data, dict) and str(data.get("key", "")).startswith("rbk_")):
        return None
    kept = {name: value for name, value in data.items() if name != "key"}
    return json.dumps({**kept, "detail": SHOWN_ONCE, "withheld": ["key"]})


def remove_stored_keys(apps, schema_editor):
    IdempotencyRecord = apps.get_model("accounts", "IdempotencyRecord")
    for record in IdempotencyRecord.objects.filter(body__contains='"rbk_').only("pk", "body"):
        body = _without_key(record.body)
        if body is not None:
            IdempotencyRecord.objects.filter(pk=record.pk).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_firm_manages_reference_data"),
    ]

    operations = [migrations.RunPython(remove_stored_keys, migrations.RunPython.noop)]
