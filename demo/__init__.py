"""The demo firm that ``python manage.py seed_demo`` builds.

Each module builds one part (reference data, prices, models, the book of accounts, lots,
preferences); ``seed`` runs them in order and times each phase. Everything is drawn from
``random.Random(seed)`` (and a fixed-seed factor model for prices), so a given set of
arguments always builds the same firm.
"""
