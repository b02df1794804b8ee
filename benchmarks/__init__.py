"""Benchmark commands: ``manage.py bench_nightly``, ``bench_lots``, ``bench_optimizer`` and
``bench_api_import`` print speed and memory figures."""
