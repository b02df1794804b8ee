"""The shipped reference data (``data/``) and its upsert into the shared security master."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from models_library.models import Security, SecurityType

DATA_DIR = Path(__file__).resolve().parent / "data"

STOCK_ASSET_CLASS = "us_equity"

# Two share classes of one company are substantially identical for the wash-sale rule.
STOCK_IDENTICAL_GROUPS: dict[str, str] = {"GOOGL": "ALPHABET", "GOOG": "ALPHABET"}


@dataclass(frozen=True)
class StockRow:
    """One S&P 500 member, with its real GICS sector and sub-industry."""

    symbol: str
    name: str
    sector: str
    sub_industry: str


@dataclass(frozen=True)
class EtfRow:
    """One ETF: its asset class, the index it tracks (its identical group) and a start price."""

    symbol: str
    name: str
    asset_class: str
    identical_group: str
    origin_price: float


def load_stocks() -> list[StockRow]:
    """The shipped stocks, roughly from the largest to the smallest company."""
    with (DATA_DIR / "sp500_stocks.csv").open(newline="", encoding="utf-8") as handle:
        return [
            StockRow(
                symbol=row["symbol"],
                name=row["name"],
                sector=row["sector"],
                sub_industry=row["sub_industry"],
            )
            for row in csv.DictReader(handle)
        ]


def load_etfs() -> list[EtfRow]:
    """The shipped ETFs, with the asset class each belongs to."""
    with (DATA_DIR / "etfs.csv").open(newline="", encoding="utf-8") as handle:
        return [
            EtfRow(
                symbol=row["symbol"],
                name=row["name"],
                asset_class=row["asset_class"],
                identical_group=row["identical_group"],
                origin_price=float(row["origin_price"]),
            )
            for row in csv.DictReader(handle)
        ]


@functools.cache
def load_names(*, kind: str) -> tuple[str, ...]:
    """Common US ``first`` or ``last`` names, one per line of ``data/{kind}_names.txt``."""
    text = (DATA_DIR / f"{kind}_names.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _security_rows(*, stocks: list[StockRow], etfs: list[EtfRow]) -> list[Security]:
    rows = [
        Security(
            symbol=etf.symbol,
            name=etf.name,
            security_type=SecurityType.ETF,
            asset_class=etf.asset_class,
            identical_group=etf.identical_group,
        )
        for etf in etfs
    ]
    rows += [
        Security(
            symbol=stock.symbol,
            name=stock.name,
            security_type=SecurityType.STOCK,
            asset_class=STOCK_ASSET_CLASS,
            sector=stock.sector,
            sub_industry=stock.sub_industry,
            identical_group=STOCK_IDENTICAL_GROUPS.get(stock.symbol, ""),
        )
        for stock in stocks
    ]
    return rows


def securities_upsert(*, stocks: list[StockRow], etfs: list[EtfRow]) -> dict[str, Security]:
    """Insert or update the shipped securities by symbol; return them all by symbol.

    Descriptive fields (name, type, asset class, sector, sub-industry, identical group)
    take the shipped values; ``tradable`` is left as it is, since an operator may have
    switched a security off.
    """
    rows = _security_rows(stocks=stocks, etfs=etfs)
    Security.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["symbol"],
        update_fields=[
            "name",
            "security_type",
            "asset_class",
            "sector",
            "sub_industry",
            "identical_group",
        ],
    )
    symbols = [row.symbol for row in rows]
    return {security.symbol: security for security in Security.objects.filter(symbol__in=symbols)}
