"""``manage.py demo_prices``: extend the demo's simulated closes up to today."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.price_feed import demo_price_feed


class Command(BaseCommand):
    help = (
        "Store the demo's simulated close of every trading day since its last close, up to "
        "today in the demo firm's time zone, and build the risk model as of that close. Only "
        "securities whose latest close the demo sent are extended; without a demo firm, "
        "nothing is done. Running twice in a day stores nothing the second time."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = demo_price_feed()
        if report.today is None:
            self.stdout.write("No demo firm: no demo prices to extend.")
        elif report.created:
            self.stdout.write(
                f"Demo prices extended to {report.last_close} (today is {report.today}): "
                f"{report.created:,} closes stored."
            )
        else:
            self.stdout.write(f"Demo prices are up to date (last close {report.last_close}).")
