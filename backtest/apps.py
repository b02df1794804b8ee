from django.apps import AppConfig


class BacktestConfig(AppConfig):
    """Registers ``manage.py backtest``; the library itself (this package) imports no Django."""

    name = "backtest"
    verbose_name = "Back-test"
