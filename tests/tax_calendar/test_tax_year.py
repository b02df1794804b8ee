"""Tax years are calendar years."""

from __future__ import annotations

import datetime as dt

from tax_calendar.tax_year import tax_year_end, tax_year_start


def test_a_tax_year_runs_from_1_january_to_31_december():
    assert tax_year_start(2024) == dt.date(2024, 1, 1)
    assert tax_year_end(2024) == dt.date(2024, 12, 31)
    assert (tax_year_end(2024) - tax_year_start(2024)).days + 1 == 366
    assert (tax_year_end(2025) - tax_year_start(2025)).days + 1 == 365
