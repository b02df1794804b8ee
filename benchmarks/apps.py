from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The ``manage.py bench_*`` commands: speed and memory figures, printed, never asserted."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
