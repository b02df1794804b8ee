"""Who sent each price; a firm's own prices; a steward's prices held for review."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_firm_manages_reference_data"),
        ("models_library", "0002_published_version_lines_immutable"),
    ]

    operations = [
        migrations.AddField(
            model_name="price",
            name="accepted_by",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="price",
            name="sent_by",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="price",
            name="sent_by_firm",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.firm",
            ),
        ),
        migrations.CreateModel(
            name="FirmPrice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("close", models.DecimalField(decimal_places=6, max_digits=16)),
                ("sent_by", models.CharField(max_length=100)),
                ("sent_at", models.DateTimeField(auto_now=True)),
                (
                    "firm",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.firm",
                    ),
                ),
                (
                    "security",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="models_library.security",
                    ),
                ),
            ],
            options={
                "ordering": ["security_id", "-date"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("firm", "security", "date"), name="firm_price_one_per_day"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("close__gt", 0)), name="firm_price_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HeldPrice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("close", models.DecimalField(decimal_places=6, max_digits=16)),
                ("previous_close", models.DecimalField(decimal_places=6, max_digits=16)),
                (
                    "split_ratio",
                    models.DecimalField(blank=True, decimal_places=6, max_digits=12, null=True),
                ),
                ("sent_by", models.CharField(max_length=100)),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("held", "Held for review"),
                            ("released", "Released"),
                            ("rejected", "Rejected"),
                        ],
                        default="held",
                        max_length=10,
                    ),
                ),
                ("decided_by", models.CharField(blank=True, max_length=100)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "security",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="models_library.security",
                    ),
                ),
                (
                    "sent_by_firm",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.firm",
                    ),
                ),
            ],
            options={
                "ordering": ["date", "security_id", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "held")),
                        fields=("security", "date"),
                        name="held_price_one_open_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("close__gt", 0)), name="held_price_positive"
                    ),
                ],
            },
        ),
    ]
