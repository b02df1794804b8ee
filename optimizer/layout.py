"""Where each block of the problem's variables sits (`problem.py` builds the problem; the
modules that add rows to it, such as `tax_budget.py`, read the same layout)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """Where each block of variables and inequality rows sits."""

    m: int
    n: int
    n_classes: int
    n_factors: int
    n_wash: int
    n_sectors: int = 0
    n_drift: int = 0
    """Bounds on the drift lines' gaps (`drift_cap.py`), after everything else; none
    unless the account's effective drift is held."""

    @property
    def s(self) -> slice:
        return slice(0, self.m)

    @property
    def b(self) -> slice:
        return slice(self.m, self.m + self.n)

    @property
    def u(self) -> slice:
        return slice(self.m + self.n, self.m + 2 * self.n)

    @property
    def classes(self) -> slice:
        start = self.m + 2 * self.n
        return slice(start, start + self.n_classes)

    @property
    def factors(self) -> slice:
        start = self.m + 2 * self.n + self.n_classes
        return slice(start, start + self.n_factors)

    @property
    def sectors(self) -> slice:
        start = self.m + 2 * self.n + self.n_classes + self.n_factors
        return slice(start, start + self.n_sectors)

    @property
    def size(self) -> int:
        return self.cash + 3 + self.n_drift

    @property
    def cash(self) -> int:
        """The active cash weight z; its lower bound is the cash need."""
        return self.m + 2 * self.n + self.n_classes + self.n_factors + self.n_sectors

    @property
    def gain(self) -> int:
        """Net realized gain; its upper bound is the cap."""
        return self.cash + 1

    @property
    def short_gain(self) -> int:
        """Net short-term gain; its upper bound is the cap."""
        return self.cash + 2

    @property
    def drift(self) -> slice:
        """Each drift line's |gap|, then cash's (`drift_cap.py`)."""
        return slice(self.cash + 3, self.size)
