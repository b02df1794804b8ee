"""The annual tax budget as a constraint on one night's solve.

`preferences.tax.max_tax` is tonight's room in dollars of tax this year (the budget less
what the year has spent). The solve keeps the night's tax at the filer's marginal
Schedule D rates within it: with G the night's net realized gain and S its net
short-term part (the problem's `gain` and `short_gain` variables),

    g_long * (G - S) + g_short * S <= max_tax / V,

g the year's tax on a dollar more gain of each character at the filer's position
(`tax_value.marginal_rates`, the carryforward's future value left out: a budget is this
year's tax), or the flat rates without Schedule D inputs. One row of two entries, so the
KKT system stays sparse. The proposal reports the exact tax it spends
(`tax_solve.with_exact_tax`); where rounding or a change of piece makes that exceed the
room, the account is solved once more with the room cut by the excess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from optimizer.layout import Layout
from optimizer.solvers import INF
from optimizer.tax_value import MarginalRates, flat_rates, marginal_rates, position
from optimizer.types import TaxPreferences

if TYPE_CHECKING:
    from optimizer.prepare import Prepared


def budget_rates(tax: TaxPreferences) -> MarginalRates:
    if tax.schedule_d is None:
        return flat_rates(tax)
    return marginal_rates(tax, *position(tax), carried=False)


def budget_rows(*, prep: Prepared, lay: Layout) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray]:
    """(G, h_l, h_u): the budget's row, or no rows without a budget."""
    tax = prep.case.preferences.tax
    if tax.max_tax is None or prep.case.tax_status != "taxable":
        return sp.csc_matrix((0, lay.size)), np.zeros(0), np.zeros(0)
    rates = budget_rates(tax)
    # one entry in each of the gain and short-term gain columns, built in compressed
    # columns directly (the matrix a (row, column) construction makes, without its sort)
    indptr = np.zeros(lay.size + 1, dtype=np.int32)
    indptr[lay.gain + 1 :] = 1
    indptr[lay.short_gain + 1 :] = 2
    row = sp.csc_matrix(
        (
            np.array([rates.long_gain, rates.short_gain - rates.long_gain]),
            np.zeros(2, dtype=np.int32),
            indptr,
        ),
        shape=(1, lay.size),
    )
    return row, np.array([-INF]), np.array([float(tax.max_tax) / prep.value])
