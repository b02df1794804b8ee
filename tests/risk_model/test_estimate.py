"""The estimator on simulated prices whose true covariance is known."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from risk_model import RiskModelParameters, estimate_risk_model

ROOT = Path(__file__).resolve().parents[2]
SECTORS = ("Energy", "Financials", "Health Care")
PER_SECTOR = 20
DAYS = 505


def simulate(seed: int = 7) -> tuple[np.ndarray, list[str], list[str], np.ndarray]:
    """Closes of 60 stocks (3 sectors) and one ETF holding the Energy stocks equally, from
    a known model: daily market vol 1 %, sector vol 0.6 %, specific vols 1-3 %."""
    rng = np.random.default_rng(seed)
    n = len(SECTORS) * PER_SECTOR
    sector_of = np.repeat(np.arange(len(SECTORS)), PER_SECTOR)
    market = rng.normal(0, 0.01, DAYS - 1)
    sector = rng.normal(0, 0.006, (DAYS - 1, len(SECTORS)))
    specific_vol = rng.uniform(0.01, 0.03, n)
    returns = (
        market[:, None] + sector[:, sector_of] + rng.normal(0, 1, (DAYS - 1, n)) * specific_vol
    )
    etf = returns[:, sector_of == 0].mean(axis=1)
    closes = 50 * np.cumprod(1 + np.column_stack([returns, etf]), axis=0)
    closes = np.vstack([np.full(n + 1, 50.0), closes])
    symbols = [f"S{i}" for i in range(n)] + ["XLE"]
    sectors = [SECTORS[k] for k in sector_of] + [""]
    return closes, symbols, sectors, specific_vol


def test_specific_risk_and_exposures_are_recovered():
    # given
    closes, symbols, sectors, specific_vol = simulate()
    # when
    model = estimate_risk_model(
        prices=closes,
        symbols=symbols,
        sectors=sectors,
        asset_classes=["equity"] * 61,
        parameters=RiskModelParameters(half_life_days=126, n_statistical=2),
    )
    # then
    estimated = np.sqrt(model.specific_variance[:60] / 252)
    assert np.median(np.abs(estimated / specific_vol - 1)) < 0.1
    assert model.factors[:4] == (
        "market",
        "sector:Energy",
        "sector:Financials",
        "sector:Health Care",
    )
    etf_variance = model.covariance()[60, 60]
    true_etf_variance = (0.01**2 + 0.006**2 + np.mean(specific_vol[:20] ** 2) / 20) * 252
    assert etf_variance == pytest.approx(true_etf_variance, rel=0.15)
    assert model.factor_covariance.shape == (6, 6)
    np.linalg.cholesky(model.factor_covariance)


def test_the_predicted_tracking_error_is_the_true_one():
    closes, symbols, sectors, specific_vol = simulate(seed=11)
    model = estimate_risk_model(
        prices=closes,
        symbols=symbols,
        sectors=sectors,
        asset_classes=["equity"] * 61,
        parameters=RiskModelParameters(half_life_days=126, n_statistical=2),
    )
    # the first ten Energy stocks against the whole of Energy
    active = np.zeros(61)
    active[:10] = 0.1
    active[:20] -= 0.05
    true = np.sqrt(np.sum(active[:60] ** 2 * specific_vol**2) * 252)

    predicted = np.sqrt(active @ model.covariance() @ active)

    assert predicted == pytest.approx(true, rel=0.12)


def test_a_short_history_gets_at_least_its_sectors_average_specific_risk():
    closes, symbols, sectors, _ = simulate()
    closes[:-30, 5] = np.nan  # S5 (Energy) listed 30 days ago
    closes[:, 25] = np.nan  # S25 (Financials) has no close at all
    params = RiskModelParameters()

    model = estimate_risk_model(
        prices=closes,
        symbols=symbols,
        sectors=sectors,
        asset_classes=["equity"] * 61,
        parameters=params,
    )

    energy = [i for i in range(20) if i != 5]
    financials = [i for i in range(20, 40) if i != 25]
    assert model.history_days[5] == 29 and model.history_days[25] == 0
    assert model.specific_variance[5] >= np.mean(model.specific_variance[energy]) - 1e-15
    assert model.specific_variance[25] == pytest.approx(
        np.mean(model.specific_variance[financials])
    )
    assert model.loadings[25, :4].tolist() == pytest.approx([1.0, 0.0, 1.0, 0.0])


def test_every_specific_volatility_is_at_least_the_floor():
    closes, symbols, sectors, _ = simulate()
    closes[:, 7] = closes[:, 60]  # S7 is the ETF: nothing of its own

    model = estimate_risk_model(
        prices=closes,
        symbols=symbols,
        sectors=sectors,
        asset_classes=["equity"] * 61,
        parameters=RiskModelParameters(specific_vol_floor=0.02),
    )

    assert np.sqrt(model.specific_variance.min()) >= 0.02 - 1e-12


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (np.ones((1, 2)), "at least two dates"),
        (np.ones((5, 3)), "dates x 2 securities"),
        (np.array([[1.0, 2.0], [0.0, 2.0]]), "positive"),
    ],
)
def test_bad_input_is_refused_with_a_reason(prices, message):
    with pytest.raises(ValueError, match=message):
        estimate_risk_model(
            prices=prices, symbols=["A", "B"], sectors=["x", "y"], asset_classes=["e", "e"]
        )


def test_importing_the_estimator_loads_no_framework_or_app():
    script = "import sys; import risk_model; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    loaded = {m.split(".")[0] for m in done.stdout.split()}
    assert loaded & {"django", "celery", "rest_framework", "models_library", "trading"} == set()
