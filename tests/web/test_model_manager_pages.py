"""The model manager's pages: a draft from a pasted or uploaded CSV (errors by line and
column), an empty draft refused on save, the security search, the publish confirmation;
and entry that prevents mistakes on an account's menus (screens from the security
master's values, a warning when a cash need exceeds the account's value)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import CashWithdrawal, Screen
from models_library.models import ModelVersion, VersionStatus
from tests.web.helpers import client_for


def _draft(book):
    return ModelVersion.objects.filter(model=book.model, status=VersionStatus.DRAFT).first()


def test_an_uploaded_csv_becomes_the_draft(book):
    modeler = client_for(book.people["modeler"])
    upload = SimpleUploadedFile("model.csv", b"symbol,weight\nVTI,55\nBND,40\nAGG,5\n")
    response = modeler.post(
        reverse("draft_edit", args=[book.model.pk]),
        {"action": "csv", "csv_file": upload, "note": "from a file"},
    )
    draft = _draft(book)
    assert response.status_code == 302 and response["Location"] == reverse(
        "version_detail", args=[draft.pk]
    )
    assert {(line.security.symbol, line.weight) for line in draft.lines.all()} == {
        ("VTI", Decimal("0.55")),
        ("BND", Decimal("0.40")),
        ("AGG", Decimal("0.05")),
    }
    assert draft.note == "from a file"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["Draft v2 saved. 3 lines, 100 % (the rest, 0 %, is cash)."]


def test_a_pasted_csv_with_errors_names_line_and_column_and_saves_nothing(book):
    modeler = client_for(book.people["modeler"])
    html = modeler.post(
        reverse("draft_edit", args=[book.model.pk]),
        {"action": "csv", "csv_text": "symbol,weight\nVTI,60\nNOPE,10\nBND,forty\n"},
    ).content.decode()
    assert "Line 3, column symbol: &#x27;NOPE&#x27; is not in the security master" in html
    assert "Line 4, column weight: &#x27;forty&#x27; is not a number" in html
    assert "NOPE,10" in html  # the pasted text is kept to correct
    assert _draft(book) is None


def test_neither_or_both_csv_inputs_are_refused(book):
    modeler = client_for(book.people["modeler"])
    url = reverse("draft_edit", args=[book.model.pk])
    html = modeler.post(url, {"action": "csv"}).content.decode()
    assert "Paste a CSV or choose a file to upload." in html
    upload = SimpleUploadedFile("model.csv", b"VTI,100\n")
    both = modeler.post(url, {"action": "csv", "csv_text": "VTI,100", "csv_file": upload})
    assert "Paste a CSV or upload a file, not both." in both.content.decode()
    assert _draft(book) is None


def test_an_empty_draft_is_refused_on_save(book):
    modeler = client_for(book.people["modeler"])
    html = modeler.post(
        reverse("draft_edit", args=[book.model.pk]),
        {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "note": "nothing"},
    ).content.decode()
    assert "A draft needs at least one line" in html
    assert _draft(book) is None


def test_the_editor_takes_more_than_300_lines_and_offers_rows_and_search(book):
    modeler = client_for(book.people["modeler"])
    url = reverse("draft_edit", args=[book.model.pk])
    html = modeler.get(url).content.decode()
    assert 'list="security-options"' in html and "data-add-rows" in html
    rows = {"form-TOTAL_FORMS": "400", "form-INITIAL_FORMS": "0"}
    rows.update({"form-0-security": "VTI", "form-0-weight": "100"})
    response = modeler.post(url, rows)
    assert response.status_code == 302
    assert _draft(book).lines.count() == 1


def test_security_search_answers_symbols_and_names(book):
    modeler = client_for(book.people["modeler"])
    found = modeler.get(reverse("security_search"), {"q": "vt"}).json()["results"]
    assert found and found[0]["symbol"] == "VTI" and found[0]["name"]
    assert modeler.get(reverse("security_search")).json() == {"results": []}


def test_publishing_asks_first_and_says_what_will_change(book):
    modeler = client_for(book.people["modeler"])
    modeler.post(
        reverse("draft_edit", args=[book.model.pk]),
        {"action": "csv", "csv_text": "VTI,50\nAGG,40\n"},
    )
    draft = _draft(book)
    detail = modeler.get(reverse("version_detail", args=[draft.pk])).content.decode()
    assert reverse("version_publish_confirm", args=[draft.pk]) in detail
    html = modeler.get(reverse("version_publish_confirm", args=[draft.pk])).content.decode()
    assert "2 lines</strong> adding up to 90.00 %" in html
    assert "It replaces v1 (2 lines): 1 added, 1 removed, 1 with a new weight." in html
    assert "Added: AGG" in html and "Removed: BND" in html
    assert f"{len(book.accounts)} accounts</strong> follow 60/40" in html
    assert _draft(book) == draft  # asking publishes nothing
    modeler.post(reverse("version_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    response = modeler.get(reverse("version_publish_confirm", args=[draft.pk]))
    assert response.status_code == 302


def test_a_screen_takes_a_value_of_the_security_master(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    page = advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()
    assert '<datalist id="screen-values-asset_class">' in page
    assert '<option value="us_equity">' in page
    url = reverse("account_rule_add", args=[account.pk, "screen"])
    html = advisor.post(url, {"screen-field": "asset_class", "screen-value": "US Equtiy"})
    assert "&#x27;US Equtiy&#x27; is not a asset class in the security master" in (
        html.content.decode()
    )
    assert not Screen.objects.filter(account=account).exists()
    advisor.post(url, {"screen-field": "asset_class", "screen-value": "US_EQUITY"})
    assert Screen.objects.get(account=account).value == "us_equity"


def test_a_withdrawal_or_cash_minimum_above_the_account_value_warns(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    url = reverse("account_rule_add", args=[account.pk, "withdrawal"])
    body = {"withdrawal-frequency": "one_time", "withdrawal-start_date": "2025-08-01"}
    response = advisor.post(url, {**body, "withdrawal-amount_usd": "100.00"}, follow=True)
    assert "more than the account" not in response.content.decode()
    response = advisor.post(url, {**body, "withdrawal-amount_usd": "9000000.00"}, follow=True)
    html = response.content.decode()
    assert "The withdrawal of $9,000,000.00 is more than the account&#x27;s whole value" in html
    assert CashWithdrawal.objects.filter(account=account).count() == 2  # saved, with a warning
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]),
        {"cash_min_usd": "5000000"},
        follow=True,
    )
    assert "The cash minimum of $5,000,000.00 is more than the account" in (
        response.content.decode()
    )
