"""The tax calendar: when a holding turns long-term, the wash-sale window around a sale,
and the tax year's bounds.

Pure Python (no Django, no app imports), so the lot engine, the optimizer, the back-test
and the pages all read each rule from one place:

- :mod:`tax_calendar.holding`: the one-year holding-period rule;
- :mod:`tax_calendar.holding_arrays`: the same rule on arrays of dates (NumPy);
- :mod:`tax_calendar.wash_sale`: the 30-day window on either side of a sale;
- :mod:`tax_calendar.tax_year`: the first and last day of a tax year.
"""
