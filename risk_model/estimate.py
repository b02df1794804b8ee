"""Estimate a factor risk model from a dates x securities matrix of closes.

The model says a security's annualized return covariance is ``B F B' + D``:

    B  n x F   loadings on the factors: "market", one "sector:<GICS sector>" per sector with
               enough members, one "class:<asset class>" per asset class with at least two
               funds (securities with no GICS sector), and ``n_statistical`` statistical
               factors "stat1", ...
    F  F x F   factor covariance (annualized, squared return units)
    D  n       specific variances (annualized)

How it is estimated, on the last ``window_days`` daily returns with exponential weights of
half-life ``half_life_days`` (the most recent day weighs most):

1. Factor returns.  The market factor's return is the equal-weighted mean return of the
   securities that have a GICS sector (the stocks; all securities when none has one); a
   sector factor's return is its members' mean return minus the market's. Funds (no GICS
   sector) are grouped the same way by asset class: a class of at least
   ``min_class_members`` funds is a factor, its members' mean return minus the market's, so
   two funds on one index (VTI and SCHB, BND and SCHZ) differ only by what truly separates
   them, not by the whole of a bond market that the stock-made factors cannot see.
2. Exposures.  Every security (stock or ETF alike) gets its market and sector loadings from a
   weighted time-series regression of its returns on those factor returns, shrunk (ridge) to
   a prior of 1 on the market and 1 on its own sector or fund class (0 on the others) by
   ``prior_days`` days' worth of evidence. A security with little history thus
   keeps loadings near the prior, one with none keeps the prior.
3. Statistical factors.  The regression's residuals (weighted, missing days as zero) are
   split by a principal-component analysis; the top ``n_statistical`` components become
   factors, each shrunk by removing the noise level (the mean of the remaining eigenvalues)
   from its variance, so sampling noise does not pass for structure.
4. Specific variance.  A security's residual variance (degrees-of-freedom corrected) less
   what its shrunk statistical loadings explain, never below a tenth of it. A security with
   fewer than ``min_history_days`` returns gets at least the average specific variance of
   its sector's (else its asset class's, else everyone's) full-history securities; every
   specific volatility is at least ``specific_vol_floor`` (a stock's) or
   ``fund_specific_vol_floor`` (a fund's).
5. Factor covariance is the weighted second moment of the factor returns (made positive
   definite, see ``JITTER``). Daily figures are annualized with ``trading_days_per_year``.
   Sector factors are returns over the market, so one portfolio's risk has many equivalent
   loadings along their sum; the ridge picks those nearest the prior.

Everything is array arithmetic: about 500 securities on two years of closes take well under
a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg

MARKET = "market"
SECTOR_PREFIX = "sector:"
CLASS_PREFIX = "class:"
STAT_PREFIX = "stat"
# Sector factors are returns over the market, so their member-weighted sum is (nearly) zero
# and the factor covariance singular along it: this share of the mean factor variance on the
# diagonal makes it positive definite (a Cholesky factor exists), adding no risk a portfolio
# could notice.
JITTER = 1e-8


@dataclass(frozen=True)
class RiskModelParameters:
    """How a model is estimated (stored with every model, so it can be rebuilt).

    Defaults, and why:
    - ``window_days`` 504 (two years): long enough to see a full cycle of sector moves, and
      the exponential weights make the far end count little (it serves securities with gaps
      and the sector averages).
    - ``half_life_days`` 42 (two months): volatility clusters, so the recent level is
      the best forecast of the next year's; 42 days is the half-life risk vendors use for
      their volatility-regime adjustment, and on 2006-2012 S&P 500 prices it balances the
      lag into a crisis (2008, under-forecast by any past-only estimate: even 10 days gives
      0.63 of the realised) against the lag out of one (2009-2010, over-forecast: 126 days
      gives 1.87 for 2010). It keeps about 120 effective days of evidence, against 6 + 11
      regressors, with the priors below.
    - ``n_statistical`` 5: the residual eigenvalues beyond the fifth are within a few per
      cent of the noise level on S&P 500 data; more factors only fit noise.
    - ``prior_days`` 60: a loading's prior counts as three months of evidence.
    - ``min_history_days`` 126: below half a year, a security's own residual variance is
      too noisy (and too often from a calm spell) to trust alone.
    - ``fund_specific_vol_floor`` 0.0025: 0.25 %/yr for a fund (no GICS sector), so two funds
      on one index are never modelled as one, yet a swap between them is not priced like a
      stock's idiosyncratic risk (1 %/yr on each side would make any substitution cost 1.4
      %/yr of tracking error per unit of weight, where real index funds differ by tenths).
    - ``specific_vol_floor`` 0.01: 1 %/yr, so no security (an ETF on its own index) is
      modelled as riskless beyond its factors.
    - ``min_sector_members`` 5: a sector of fewer securities is no factor (its members'
      returns would define it and their specific risk would vanish).
    - ``min_class_members`` 2: a fund class is a factor once two funds share it (with one,
      the fund's own returns would define it and its specific risk vanish).
    - ``return_clip_mads`` 10: a daily return beyond ten robust deviations is clipped (a
      missed split or a bad close must not dominate two years of evidence).
    """

    window_days: int = 504
    half_life_days: float = 42.0
    n_statistical: int = 5
    prior_days: float = 60.0
    min_history_days: int = 126
    specific_vol_floor: float = 0.01
    fund_specific_vol_floor: float = 0.0025
    min_sector_members: int = 5
    min_class_members: int = 2
    return_clip_mads: float = 10.0
    trading_days_per_year: int = 252

    def __post_init__(self) -> None:
        if self.window_days < 2:
            raise ValueError("window_days must be at least 2")
        if self.half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        if self.n_statistical < 0:
            raise ValueError("n_statistical must not be negative")
        if self.prior_days <= 0 or min(self.specific_vol_floor, self.fund_specific_vol_floor) < 0:
            raise ValueError("prior_days must be positive and specific_vol_floor not negative")


@dataclass(frozen=True, eq=False)
class EstimatedModel:
    """An estimated model, in the securities' order given to :func:`estimate_risk_model`.

    ``history_days``: each security's number of daily returns in the window.
    """

    symbols: tuple[str, ...]
    factors: tuple[str, ...]
    loadings: np.ndarray
    factor_covariance: np.ndarray
    specific_variance: np.ndarray
    history_days: np.ndarray
    parameters: RiskModelParameters

    def covariance(self) -> np.ndarray:
        """The dense n x n covariance ``B F B' + D`` (for tests and small universes)."""
        dense: np.ndarray = self.loadings @ self.factor_covariance @ self.loadings.T
        return dense + np.diag(self.specific_variance)


def estimate_risk_model(
    *,
    prices: np.ndarray,
    symbols: Sequence[str],
    sectors: Sequence[str | None],
    asset_classes: Sequence[str],
    parameters: RiskModelParameters | None = None,
) -> EstimatedModel:
    """Estimate the model from ``prices`` (dates x securities, oldest first, NaN where a
    security has no close); the last row is the as-of date. ``sectors`` holds each
    security's GICS sector ("" or None: none, as for an ETF)."""
    params = parameters or RiskModelParameters()
    closes = np.asarray(prices, dtype=float)
    n = len(symbols)
    if closes.ndim != 2 or closes.shape[1] != n:
        raise ValueError(f"prices must be dates x {n} securities, got shape {closes.shape}")
    if len(sectors) != n or len(asset_classes) != n:
        raise ValueError("sectors and asset_classes need one entry per security")
    if closes.shape[0] < 2:
        raise ValueError("at least two dates of prices are needed to estimate a risk model")
    if np.any(closes[np.isfinite(closes)] <= 0):
        raise ValueError("prices must be positive")
    returns = _returns(closes[-(params.window_days + 1) :], params.return_clip_mads)
    weights = _weights(returns.shape[0], params.half_life_days)
    sector_names, sector_index = _sectors(sectors, params.min_sector_members)
    class_names, class_index = _sectors(
        [None if s else a for s, a in zip(sectors, asset_classes, strict=True)],
        params.min_class_members,
    )
    group_names = [SECTOR_PREFIX + s for s in sector_names] + [
        CLASS_PREFIX + c for c in class_names
    ]
    group_index = np.where(class_index >= 0, class_index + len(sector_names), sector_index)
    observed = np.isfinite(returns)
    factor_returns = _factor_returns(returns, observed, group_index, len(group_names), sectors)
    prior = _prior(n, group_index, len(group_names))
    betas, residuals = _regress(returns, observed, factor_returns, weights, prior, params)
    stat_returns, stat_loadings, stat_variance = _statistical(
        residuals, weights, params.n_statistical
    )
    history = observed.sum(axis=0)
    specific = _specific(
        residuals=residuals,
        observed=observed,
        weights=weights,
        n_regressors=factor_returns.shape[1] + stat_loadings.shape[1],
        explained=(stat_loadings**2) @ stat_variance,
        history=history,
        groups=_groups(sectors, asset_classes),
        params=params,
    )
    all_returns = np.hstack([factor_returns, stat_returns])
    covariance = (all_returns * weights[:, None]).T @ all_returns
    covariance = (covariance + covariance.T) / 2 * params.trading_days_per_year
    covariance += np.eye(len(covariance)) * JITTER * float(np.mean(np.diag(covariance)))
    factors = (
        MARKET,
        *group_names,
        *(f"{STAT_PREFIX}{j + 1}" for j in range(stat_loadings.shape[1])),
    )
    return EstimatedModel(
        symbols=tuple(symbols),
        factors=factors,
        loadings=np.ascontiguousarray(np.hstack([betas, stat_loadings])),
        factor_covariance=np.ascontiguousarray(covariance),
        specific_variance=specific * params.trading_days_per_year,
        history_days=history,
        parameters=params,
    )


def _returns(closes: np.ndarray, clip_mads: float) -> np.ndarray:
    """Daily simple returns (NaN where either close is missing), each security's outliers
    clipped to ``clip_mads`` robust deviations (1.4826 x the median absolute deviation)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        returns: np.ndarray = closes[1:] / closes[:-1] - 1.0
    observed = np.isfinite(returns)
    counts = observed.sum(axis=0)
    if not np.any(counts):
        return returns
    filled = np.where(observed, returns, np.nan)
    has = counts > 0
    centre = np.zeros(returns.shape[1])
    spread = np.full(returns.shape[1], np.inf)
    centre[has] = _column_medians(filled[:, has])
    spread[has] = 1.4826 * _column_medians(np.abs(filled[:, has] - centre[has]))
    spread[~np.isfinite(spread) | (spread <= 0)] = np.inf
    bound = clip_mads * spread
    clipped: np.ndarray = np.clip(returns, centre - bound, centre + bound)
    return clipped


def _column_medians(values: np.ndarray) -> np.ndarray:
    """Each column's median over its observed (non-NaN) values, every column having one:
    the middle of the sorted column (NaN sorts last), as ``np.nanmedian`` gives it, without
    its masked-array path (several times slower on a window with gaps)."""
    ordered = np.sort(values, axis=0)
    count = np.count_nonzero(~np.isnan(values), axis=0)
    columns = np.arange(values.shape[1])
    low, high = ordered[(count - 1) // 2, columns], ordered[count // 2, columns]
    medians: np.ndarray = (low + high) / 2
    return medians


def _weights(length: int, half_life: float) -> np.ndarray:
    """Exponential weights summing to 1, the most recent day weighing most."""
    ages = np.arange(length - 1, -1, -1, dtype=float)
    raw = 0.5 ** (ages / half_life)
    weights: np.ndarray = raw / raw.sum()
    return weights


def _sectors(sectors: Sequence[str | None], min_members: int) -> tuple[list[str], np.ndarray]:
    """The sectors that make a factor (sorted), and each security's factor index (-1: none)."""
    labels = [s or "" for s in sectors]
    counts: dict[str, int] = {}
    for label in labels:
        if label:
            counts[label] = counts.get(label, 0) + 1
    names = sorted(s for s, c in counts.items() if c >= min_members)
    position = {s: i for i, s in enumerate(names)}
    return names, np.array([position.get(label, -1) for label in labels], dtype=int)


def _mean_over(returns: np.ndarray, observed: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Each day's mean return over ``members`` that have one (0 on a day none has)."""
    mask = observed & members[None, :]
    total = np.where(mask, returns, 0.0).sum(axis=1)
    count = mask.sum(axis=1)
    mean: np.ndarray = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return mean


def _factor_returns(
    returns: np.ndarray,
    observed: np.ndarray,
    sector_index: np.ndarray,
    n_sectors: int,
    sectors: Sequence[str | None],
) -> np.ndarray:
    """Days x (1 + sectors): the market's return, then each sector's return over it."""
    has_sector = np.array([bool(s) for s in sectors], dtype=bool)
    equities = has_sector if has_sector.any() else np.ones(returns.shape[1], dtype=bool)
    market = _mean_over(returns, observed, equities)
    columns = [market]
    for k in range(n_sectors):
        columns.append(_mean_over(returns, observed, sector_index == k) - market)
    stacked: np.ndarray = np.column_stack(columns)
    return stacked


def _prior(n: int, sector_index: np.ndarray, n_sectors: int) -> np.ndarray:
    """n x (1 + sectors): 1 on the market, 1 on a security's own sector."""
    prior = np.zeros((n, 1 + n_sectors))
    prior[:, 0] = 1.0
    own = sector_index >= 0
    prior[np.flatnonzero(own), 1 + sector_index[own]] = 1.0
    return prior


def _regress(
    returns: np.ndarray,
    observed: np.ndarray,
    factor_returns: np.ndarray,
    weights: np.ndarray,
    prior: np.ndarray,
    params: RiskModelParameters,
) -> tuple[np.ndarray, np.ndarray]:
    """Each security's ridge-shrunk loadings on the factor returns (n x K), and its
    residual returns (days x n, NaN where it has no return).

    Security i solves (X' W_i X + P) b = X' W_i r_i + P b0_i, where W_i holds the day
    weights of its observed days and P = ``prior_days`` / n_eff x diag(weighted factor
    variances): the prior counts as ``prior_days`` days of evidence."""
    k = factor_returns.shape[1]
    wm = weights[:, None] * observed  # days x n
    outer = (factor_returns[:, :, None] * factor_returns[:, None, :]).reshape(-1, k * k)
    gram = (wm.T @ outer).reshape(-1, k, k)  # n x K x K
    filled = np.where(observed, returns, 0.0)
    moment = (wm * filled).T @ factor_returns  # n x K
    n_eff = 1.0 / float(np.sum(weights**2))
    variances = weights @ factor_returns**2
    variances = np.where(variances > 0, variances, 1e-12)
    penalty = np.diag(variances * params.prior_days / n_eff)
    lhs = gram + penalty[None, :, :]
    rhs = moment + prior @ penalty
    betas = np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]
    residuals = np.where(observed, returns - factor_returns @ betas.T, np.nan)
    return betas, residuals


def _statistical(
    residuals: np.ndarray, weights: np.ndarray, n_statistical: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top principal components of the weighted residuals, shrunk.

    Returns the factors' daily returns (days x J), the securities' shrunk loadings (n x J)
    and the factors' weighted variances (J). Component j's eigenvalue l_j is shrunk to
    l_j - noise, noise being the mean of the eigenvalues not kept; its loadings (the unit
    eigenvector) are scaled by sqrt(1 - noise / l_j), so the factor explains only what is
    above the noise. A component at or below the noise is dropped."""
    days, n = residuals.shape
    rank = min(days, n)
    keep = min(n_statistical, max(rank - 1, 0))
    if keep == 0:
        return np.zeros((days, 0)), np.zeros((n, 0)), np.zeros(0)
    filled = np.where(np.isfinite(residuals), residuals, 0.0)
    scaled = np.sqrt(weights)[:, None] * filled
    # the top eigenpairs of the smaller Gram matrix; the rest only through their sum
    gram = scaled @ scaled.T if days <= n else scaled.T @ scaled
    top, vectors_small = scipy.linalg.eigh(gram, subset_by_index=[len(gram) - keep, len(gram) - 1])
    order = np.argsort(top)[::-1]
    eigen = np.maximum(top[order], 0.0)
    vectors_small = vectors_small[:, order]
    positive = np.where(eigen > 0, eigen, np.inf)
    if days <= n:
        vt = (scaled.T @ vectors_small / np.sqrt(positive)[None, :]).T
    else:
        vt = vectors_small.T
    trace = float(np.sum(scaled**2))
    noise = max(trace - float(eigen.sum()), 0.0) / (rank - keep)
    shrink = np.clip(1.0 - noise / positive, 0.0, 1.0)
    kept = shrink > 0
    vectors = vt[kept].T  # n x J
    factor_returns = filled @ vectors
    loadings = vectors * np.sqrt(shrink[kept])[None, :]
    variance = weights @ factor_returns**2
    return factor_returns, loadings, variance


def _groups(sectors: Sequence[str | None], asset_classes: Sequence[str]) -> list[str]:
    return [
        f"{SECTOR_PREFIX}{s}" if s else f"{CLASS_PREFIX}{a}"
        for s, a in zip(sectors, asset_classes, strict=True)
    ]


def _specific(
    *,
    residuals: np.ndarray,
    observed: np.ndarray,
    weights: np.ndarray,
    n_regressors: int,
    explained: np.ndarray,
    history: np.ndarray,
    groups: list[str],
    params: RiskModelParameters,
) -> np.ndarray:
    """Daily specific variances (see the module's step 4)."""
    wm = weights[:, None] * observed
    mass = wm.sum(axis=0)
    squares = (wm * np.where(observed, residuals, 0.0) ** 2).sum(axis=0)
    raw = np.divide(squares, mass, out=np.zeros_like(squares), where=mass > 0)
    # effective observations of each security, and the regression's degrees of freedom
    n_eff = np.divide(mass**2, (wm**2).sum(axis=0), out=np.zeros_like(mass), where=mass > 0)
    dof = np.where(n_eff > 2 * n_regressors, n_eff / np.maximum(n_eff - n_regressors, 1.0), 2.0)
    total = raw * dof
    specific = np.maximum(total - explained, 0.1 * total)
    full = history >= params.min_history_days
    short = ~full
    if short.any():
        everyone = float(np.mean(specific[full])) if full.any() else float(np.mean(specific))
        labels = np.array(groups, dtype=object)
        fallback = np.full(len(specific), everyone)
        for label in set(labels[short].tolist()):
            members = full & (labels == label)
            if members.any():
                fallback[labels == label] = float(np.mean(specific[members]))
        specific = np.where(short, np.maximum(specific, fallback), specific)
    fund = np.array([g.startswith(CLASS_PREFIX) for g in groups], dtype=bool)
    vol_floor = np.where(fund, params.fund_specific_vol_floor, params.specific_vol_floor)
    result: np.ndarray = np.maximum(specific, vol_floor**2 / params.trading_days_per_year)
    return result
