"""A draft from a CSV of symbol and weight (percent): every problem named by line and
column, nothing saved unless the whole file is good; an empty draft refused on save."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models_library.models import ModelVersion, VersionStatus
from models_library.selectors.securities import screen_values, security_search
from models_library.services.draft_csv import draft_rows_from_csv, draft_save_csv
from models_library.services.versions import draft_save, model_create
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.factories import SecurityFactory


@pytest.fixture
def stocks(db):
    return [
        SecurityFactory(symbol=f"S{i:03d}", name=f"Stock {i} Corp", sector=f"Sector {i % 11}")
        for i in range(500)
    ]


@pytest.fixture
def model(firm_a, advisor_a):
    return model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Large cap 500")


def _csv(rows: list[tuple[str, str]], header: bool = True) -> str:
    lines = ["symbol,weight"] if header else []
    return "\n".join(lines + [f"{s},{w}" for s, w in rows]) + "\n"


def test_a_500_line_csv_becomes_the_draft_in_percent(firm_a, advisor_a, stocks, model):
    text = _csv([(s.symbol, "0.2") for s in stocks])
    draft = draft_save_csv(firm=firm_a, actor=Actor.person(advisor_a), model=model, text=text)
    assert draft.status == VersionStatus.DRAFT
    assert draft.lines.count() == 500
    assert sum(line.weight for line in draft.lines.all()) == Decimal("1")
    assert draft.lines.get(security__symbol="S007").weight == Decimal("0.002")


def test_header_is_optional_and_percent_signs_and_blank_lines_are_allowed(db):
    SecurityFactory(symbol="VTI")
    SecurityFactory(symbol="BND")
    rows, lines = draft_rows_from_csv("\ufeffvti, 60 %\n\nbnd,40\n")
    assert [r["security"] for r in rows] == ["VTI", "BND"]
    assert [r["weight"] for r in rows] == [Decimal("0.6"), Decimal("0.4")]
    assert lines == [1, 3]


def test_every_problem_is_named_by_line_and_column(db):
    text = (
        "symbol,weight\nVTI,abc\n,10\nBND,0\nAGG,150\nVEA,1,extra\nIEFA,1.23456\nNOPE,5\nnope,1\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        draft_rows_from_csv(text)
    assert caught.value.errors == [
        (2, "weight", "'abc' is not a number"),
        (3, "symbol", "is blank"),
        (4, "weight", "must be greater than 0 and at most 100 (percent)"),
        (5, "weight", "must be greater than 0 and at most 100 (percent)"),
        (6, None, "has 3 columns; expected 2 (symbol, weight)"),
        (7, "weight", "has more than 4 decimal places (percent)"),
        (8, "symbol", "'NOPE' is not in the security master"),
        (9, "symbol", "appears twice (first on line 8)"),
    ]


def test_unknown_symbols_and_duplicates_name_the_file_line(firm_a, advisor_a, stocks, model):
    text = _csv([("S001", "10"), ("NOPE", "10"), ("S002", "10"), ("s001", "5")])
    with pytest.raises(ValidationFailed) as caught:
        draft_save_csv(firm=firm_a, actor=Actor.person(advisor_a), model=model, text=text)
    assert caught.value.errors == [
        (3, "symbol", "'NOPE' is not in the security master"),
        (5, "symbol", "appears twice (first on line 2)"),
    ]
    assert not ModelVersion.objects.filter(model=model).exists()


def test_a_bad_file_leaves_the_existing_draft_as_it_was(firm_a, advisor_a, stocks, model):
    actor = Actor.person(advisor_a)
    draft = draft_save(
        firm=firm_a, actor=actor, model=model, rows=[{"security": "S001", "weight": "0.5"}]
    )
    over = _csv([("S001", "60"), ("S002", "50")])
    with pytest.raises(ValidationFailed) as caught:
        draft_save_csv(firm=firm_a, actor=actor, model=model, text=over, version=draft)
    assert caught.value.errors == [(None, "weight", "weights sum to 110.0000 %, more than 100 %")]
    assert [
        (getattr(line.security, "symbol", None), line.weight) for line in draft.lines.all()
    ] == [("S001", Decimal("0.5"))]


def test_an_empty_file_or_draft_is_refused_on_save(firm_a, advisor_a, model):
    with pytest.raises(ValidationFailed, match="has no lines"):
        draft_rows_from_csv("symbol,weight\n\n")
    with pytest.raises(ValidationFailed, match="at least one line"):
        draft_save(firm=firm_a, actor=Actor.person(advisor_a), model=model, rows=[])
    assert not ModelVersion.objects.filter(model=model).exists()


def test_security_search_puts_symbol_matches_before_name_matches(db):
    SecurityFactory(symbol="APPL", name="Maple Foods")
    SecurityFactory(symbol="AAPL", name="Apple Inc.")
    SecurityFactory(symbol="ZZAP", name="Zap Apples")
    assert [s.symbol for s in security_search(query="ap")] == ["APPL", "AAPL", "ZZAP"]
    assert [s.symbol for s in security_search(query="apple")] == ["AAPL", "ZZAP"]
    assert security_search(query="  ") == []


def test_screen_values_are_the_security_master_distinct_values(db):
    SecurityFactory(symbol="XOM", sector="Energy", asset_class="us_equity")
    SecurityFactory(symbol="CVX", sector="Energy", asset_class="us_equity")
    SecurityFactory(symbol="BND", sector="", asset_class="us_bond")
    assert screen_values(field="sector") == ["Energy"]
    assert screen_values(field="asset_class") == ["us_bond", "us_equity"]
    assert screen_values(field="symbol") == []
