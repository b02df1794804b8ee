"""Background work of the demo: its price feed."""

from __future__ import annotations

from celery import shared_task

from .price_feed import demo_price_feed


@shared_task(name="demo.extend_prices")
def extend_demo_prices() -> int:
    """Beat calls this hourly: the demo firm's closes up to today (nothing without one, and
    nothing twice). Returns the number of closes stored."""
    return demo_price_feed().created
