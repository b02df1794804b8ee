"""PostgreSQL row-level security, proved with the application's own kind of database role.

Runs on PostgreSQL only (the second pass of ``.ci/run``). That pass connects as the
application's role already (tests/pg_roles.py); where the suite connects as a superuser,
which PostgreSQL never binds to policies, these tests create a role like the application's
in production (LOGIN, not a superuser, no BYPASSRLS, owning nothing), grant it what
``migrate`` grants, and switch the test's connection to it. Their data is committed
(``transaction=True``) so that a separate connection, or a Celery worker, sees it.
"""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model
from django.db.utils import DatabaseError
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Account, Household, Restriction
from firms.models import Firm
from firms.services.firm_settings import four_eyes_off_request, four_eyes_turn_on
from rebalancer import rowsecurity
from rebalancer.actors import Actor
from rebalancer.tenancy import firm_owned_models
from tests import pg_roles
from trading.models import CorporateActionApplication, HouseholdProposal, Proposal
from trading.services.corporate_actions import corporate_actions_apply_due

ROOT = Path(__file__).resolve().parents[1]
APP_ROLE = "rebalancer_app_test"
AS_OF = "2026-11-20"  # the demo's last price day
NEXT_NIGHT = "2026-11-19"  # another priced day, for a run the worker does from the start
OWN_PRICE_DAY = "2026-11-21"  # a day with no shared price: each firm sends its own

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="row-level security exists on PostgreSQL only",
    ),
]


def _create_app_role() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DO $$ BEGIN
                CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object THEN NULL;
            END $$
            """
        )
        rowsecurity.grant(cursor=cursor, connection=connection, role=APP_ROLE)


@contextmanager
def as_app_role():
    """The test's connection logged in as the application's role while inside."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(USER=APP_ROLE, PASSWORD="")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def app_role(transactional_db):
    if pg_roles.active():
        # the whole pass connects as the application's role: these tests' own queries too
        with pg_roles.product_only():
            yield connection.settings_dict["USER"]
        return
    _create_app_role()
    with as_app_role():
        yield APP_ROLE


def _sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _visible(firm_id: int | None) -> dict[str, dict]:
    with transaction.atomic():
        if firm_id is not None:
            rowsecurity.set_firm(firm_id)
        return rowsecurity.visible_rows()


# --- the catalog: a new firm-owned table cannot forget its policy -------------------------


@pytest.mark.django_db
def test_every_firm_owned_table_has_a_forced_firm_policy():
    tables = rowsecurity.firm_owned_tables()
    # every table with a firm column is a firm-owned model's table, and there are many
    assert tables == rowsecurity.tables_with_firm_column()
    assert len(tables) >= 25
    catalog = rowsecurity.catalog()
    unsecured = [t for t in tables if not catalog[t].secured]
    assert not unsecured, f"firm-owned tables without a forced firm policy: {unsecured}"
    quals = dict(
        _sql("SELECT tablename, qual FROM pg_policies WHERE policyname = %s", [rowsecurity.POLICY])
    )
    assert all("rebalancer_current_firm()" in quals[t] for t in tables)
    # the tenant registry is the one table left open, on purpose
    assert not catalog["accounts_firm"].enabled


@pytest.mark.django_db
def test_the_moved_firm_owned_tables_keep_their_forced_firm_policy():
    # the tenant's tables moved to the firms app, an account's model to accounts, under
    # their old names: each firm-owned one is still found by its model, and still secured
    moved = {
        "firms.ApiKey": "accounts_apikey",
        "firms.AuditEvent": "accounts_auditevent",
        "firms.IdempotencyRecord": "accounts_idempotencyrecord",
        "firms.Membership": "accounts_membership",
        "accounts.ModelAssignment": "models_library_modelassignment",
    }
    owned = {model._meta.label: model._meta.db_table for model in firm_owned_models()}
    assert {label: owned.get(label) for label in moved} == moved
    catalog = rowsecurity.catalog()
    assert [t for t in moved.values() if not catalog[t].secured] == []


@pytest.mark.django_db
def test_the_check_command_reports_every_table_secured():
    out = io.StringIO()
    call_command("row_security", stdout=out)
    assert f"{len(rowsecurity.firm_owned_tables())} firm-owned tables secured" in out.getvalue()
    assert "NOT SECURED" not in out.getvalue()


def _current_firm_setting() -> str:
    return _sql("SELECT coalesce(current_setting(%s, true), '')", [rowsecurity.FIRM_SETTING])[0][0]


@pytest.mark.django_db
def test_a_nested_firm_scope_gives_the_enclosing_transaction_its_firm_back(firm_a, firm_b):
    with transaction.atomic():
        rowsecurity.set_firm(firm_a.pk)
        with rowsecurity.firm_scope(firm_b):
            assert _current_firm_setting() == str(firm_b.pk)
        assert _current_firm_setting() == str(firm_a.pk)
    with transaction.atomic():
        rowsecurity.set_firm(None)
        with rowsecurity.firm_scope(firm_b):
            assert _current_firm_setting() == str(firm_b.pk)
        # a later unit of work in the same transaction starts with no firm again
        assert _current_firm_setting() == ""


# --- a whole day of two firms, done by the application as its own role --------------------


def _key(slug: str) -> str:
    out = io.StringIO()
    call_command("create_api_key", firm=slug, name="rls", scopes="read,import,trade", stdout=out)
    return out.getvalue().strip()


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def _trade_through_the_api(key: str) -> None:
    """Approve proposals, build, approve and export a blotter, and bring the fills back."""
    api = _api(key)
    proposals = _ok(api.get("/api/v1/proposals/?status=pending_review"))["results"]
    assert proposals, "the firm's own proposals are visible to its key"
    for i, proposal in enumerate(proposals[:3]):
        _ok(
            api.post(
                f"/api/v1/proposals/{proposal['id']}/approve/",
                HTTP_IDEMPOTENCY_KEY=f"approve-{i}",
            )
        )
    blotter = _ok(api.post("/api/v1/blotters/"), 201)
    _ok(api.post(f"/api/v1/blotters/{blotter['id']}/approve/"))
    export = _ok(api.post(f"/api/v1/blotters/{blotter['id']}/export/"))
    fills = [
        {
            "fill_id": f"F{i}",
            "order_id": int(row["order_id"]),
            "account_number": row["account_number"],
            "quantity": row["allocation_quantity"],
            "price": row["estimated_price"],
            "trade_date": AS_OF,
        }
        for i, row in enumerate(export)
    ]
    result = _ok(api.post(f"/api/v1/blotters/{blotter['id']}/fills/", {"rows": fills}, "json"))
    assert result["blotter"]["status"] == "filled"
    # the firm is no steward of reference data: its price is its own (models_library_firmprice)
    own = [{"symbol": "VTI", "date": OWN_PRICE_DAY, "close": "1.23"}]
    assert _ok(api.post("/api/v1/prices/bulk/", {"rows": own}, "json"))["firm_only"] == 1
    # the custodian's statement of one account, which does not match the books
    number = proposals[0]["account_number"]
    statement = [
        {"account_number": number, "as_of": AS_OF, "symbol": "VTI", "quantity": "1"},
        {"account_number": number, "as_of": AS_OF, "symbol": "CASH", "quantity": "0.00"},
    ]
    imported = _ok(api.post("/api/v1/custodian-positions/bulk/", {"rows": statement}, "json"))
    assert imported["out_of_balance"] == [number]


DIVIDEND = {
    "reference": "VTI-2026-11-DIV",
    "kind": "cash_dividend",
    "symbol": "VTI",
    "ex_date": "2026-11-10",
    "effective_date": "2026-11-17",
    "cash_per_share": "0.95",
}


def _steward_enters_a_dividend() -> None:
    """A steward of reference data enters, over the API, a dividend every demo firm's
    accounts hold (once)."""
    _, new = Firm.objects.get_or_create(
        slug="rls-steward", defaults={"name": "Rls Stewards", "manages_reference_data": True}
    )
    if not new:
        return
    _ok(_api(_key("rls-steward")).post("/api/v1/corporate-actions/", {"rows": [DIVIDEND]}, "json"))


def _firm_day(slug: str) -> Firm:
    call_command("seed_demo", firm=slug, accounts=8, stdout=io.StringIO())
    _steward_enters_a_dividend()
    firm = Firm.objects.get(slug=slug)
    with rowsecurity.firm_scope(firm):
        household = Household.objects.filter(firm=firm).first()
        assert household is not None
        Restriction.objects.create(firm=firm, household=household, symbol="XOM", type="do_not_buy")
        # entering it applies it to the firms there are; a firm that came later gets it
        # from its nightly pass
        corporate_actions_apply_due(firm=firm, actor=Actor.system("nightly"))
        assert CorporateActionApplication.objects.for_firm(firm).exists()
    key = _key(slug)
    _manage_a_household_as_one(key, household.pk)
    _plan_a_gift(key, firm)
    call_command("rebalance", firm=slug, as_of=AS_OF, no_progress=True, stdout=io.StringIO())
    with rowsecurity.firm_scope(firm):
        assert HouseholdProposal.objects.for_firm(firm).filter(household=household).exists()
    _trade_through_the_api(key)
    with rowsecurity.firm_scope(firm):
        # an admin turns four eyes on and asks to turn it off again (a second admin decides)
        admin = Actor.person(get_user_model().objects.get(username=f"{slug}-admin"))
        four_eyes_turn_on(firm=firm, actor=admin)
        four_eyes_off_request(firm=firm, actor=admin)
    return firm


def _manage_a_household_as_one(key: str, household_id: int) -> None:
    """The household's menu set to "managed as one", and its held-away 401k entered with a
    holding and a recent purchase, over the API."""
    api = _api(key)
    base = f"/api/v1/households/{household_id}/"
    _ok(api.patch(base + "management/", {"managed_as_one": True}, "json"))
    held_away = {
        "name": "Employer 401(k)",
        "tax_status": "tax_deferred",
        "transactions_through": AS_OF,
        "positions": [{"symbol": "VTI", "quantity": "10", "market_value_usd": "3000.00"}],
        "transactions": [{"symbol": "VTI", "trade_date": AS_OF, "side": "buy", "quantity": "1"}],
    }
    _ok(api.post(base + "held-away/", held_away, "json"), 201)


def _plan_a_gift(key: str, firm: Firm) -> None:
    """A charitable gift planned from a taxable account, over the API."""
    with rowsecurity.firm_scope(firm):
        account = Account.objects.filter(firm=firm, tax_status="taxable").order_by("pk").first()
        assert account is not None
    soon = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    body = {"amount_usd": "100.00", "date": soon, "charity": "Row Security Fund"}
    _ok(_api(key).post(f"/api/v1/accounts/{account.pk}/gifts/", body, "json"), 201)


@pytest.fixture
def two_firms(app_role):
    """Firms A and B, each seeded, optimized, traded and filled by the product itself,
    connected as the application's role."""
    return _firm_day("rls-a"), _firm_day("rls-b")


@pytest.mark.django_db(transaction=True)
def test_a_firm_sees_and_touches_only_its_own_rows(two_firms):
    firm_a, firm_b = two_firms
    assert _sql(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ) == [(connection.settings_dict["USER"], False, False)]
    seen_a, seen_b = _visible(firm_a.pk), _visible(firm_b.pk)
    shared = {None}  # audit events on shared reference data carry no firm
    for table in rowsecurity.firm_owned_tables():
        # the product wrote rows for both firms in every firm-owned table ...
        assert seen_a[table].get(firm_a.pk), f"{table}: the day wrote no row for firm A"
        assert seen_b[table].get(firm_b.pk), f"{table}: the day wrote no row for firm B"
        # ... and each firm's setting shows that firm's rows only
        assert set(seen_a[table]) <= {firm_a.pk} | shared, table
        assert set(seen_b[table]) <= {firm_b.pk} | shared, table
    # no setting at all: every firm-owned table is empty
    assert all(not counts for counts in _visible(None).values())
    # writes: another firm's rows cannot be changed, deleted or created
    with transaction.atomic():
        rowsecurity.set_firm(firm_a.pk)
        assert Household.objects.filter(firm=firm_b).update(name="taken") == 0
        assert (
            _sql("DELETE FROM trading_proposal WHERE firm_id = %s RETURNING id", [firm_b.pk]) == []
        )
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        rowsecurity.set_firm(firm_a.pk)
        Household.objects.create(firm=firm_b, name="Planted")
    assert _visible(firm_b.pk)["accounts_household"] == seen_b["accounts_household"]


@pytest.mark.django_db(transaction=True)
def test_the_setting_ends_with_its_transaction(two_firms):
    firm_a, _ = two_firms
    with transaction.atomic():
        rowsecurity.set_firm(firm_a.pk)
        assert Household.objects.exists()
    # a later transaction on the same connection starts with no firm
    with transaction.atomic():
        assert not Household.objects.exists()
    assert not Household.objects.exists()  # autocommit: one statement, its own transaction


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_lift_the_wall(app_role):
    with pytest.raises(DatabaseError, match="must be owner"), transaction.atomic():
        _sql("ALTER TABLE trading_proposal DISABLE ROW LEVEL SECURITY")
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        _sql("SET LOCAL row_security = off")
        _sql("SELECT count(*) FROM trading_proposal")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        _sql("DELETE FROM accounts_auditevent")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        _sql("UPDATE accounts_auditevent SET note = 'rewritten'")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        _sql("DELETE FROM django_migrations")


@pytest.mark.django_db(transaction=True)
def test_web_pages_show_the_signed_in_persons_firm_only(two_firms):
    firm_a, firm_b = two_firms
    browser = Client()
    assert browser.login(username="rls-a-admin", password="demo-pass-2026")
    page = browser.get("/households/")
    assert page.status_code == 200
    with rowsecurity.firm_scope(firm_a):
        names_a = list(Household.objects.values_list("name", flat=True))
    with rowsecurity.firm_scope(firm_b):
        names_b = set(Household.objects.values_list("name", flat=True)) - set(names_a)
    body = page.content.decode()
    assert any(name in body for name in names_a)
    assert not any(name in body for name in names_b)


# --- a real Celery worker, connected as the application's role ---------------------------


def _worker_env(queue: str) -> dict:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "CELERY_QUEUE": queue}


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the CI pass)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_task_for_firm_a_after_one_for_firm_b_sees_only_firm_a(two_firms, tmp_path):
    """In one worker process: firm B's task, then firm A's, then one with no firm, each
    seeing only what it should; then firm A's whole nightly run, started by its task."""
    from firms.tasks import row_security_probe
    from rebalancer.celery import app
    from trading.tasks import start_firm_run

    # the firms were built with tasks in-process; from here on they go to a real worker
    firm_a, firm_b = two_firms
    queue = f"rls-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rebalancer", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-Q", queue],
        cwd=ROOT, env=_worker_env(queue), stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        first = row_security_probe.delay(firm_b.pk).get(timeout=120)
        second = row_security_probe.delay(firm_a.pk).get(timeout=60)
        bare = row_security_probe.delay(None).get(timeout=60)
        # and the nightly run itself, started by its task, chunks and all, in that worker
        run_id = start_firm_run.delay(firm_a.pk, NEXT_NIGHT).get(timeout=60)
        completed = _wait_for_run(firm_a, run_id, seconds=180)
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = saved
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert first["pid"] == second["pid"] == bare["pid"], "one worker process ran all three"
    for result, firm in ((first, firm_b), (second, firm_a)):
        for table, counts in result["tables"].items():
            assert counts.get(str(firm.pk)), f"{table}: the task saw none of its firm's rows"
            assert set(counts) <= {str(firm.pk), "null"}, (table, counts)
    assert all(not counts for counts in bare["tables"].values()), bare["tables"]
    assert completed, log.read_text()[-3000:]
    with rowsecurity.firm_scope(firm_a):
        assert Proposal.objects.filter(firm=firm_a, as_of=NEXT_NIGHT).count() == 8
    with rowsecurity.firm_scope(firm_b):
        assert not Proposal.objects.filter(as_of=NEXT_NIGHT).exists()


def _wait_for_run(firm, run_id: int, *, seconds: float) -> bool:
    from trading.models import Run, RunStatus

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with rowsecurity.firm_scope(firm):
            if Run.objects.get(pk=run_id).status == RunStatus.COMPLETED:
                return True
        time.sleep(0.2)
    return False


def _detail_urls(firm) -> list[str]:
    """One detail page of each kind of the firm's objects (read in the firm's own scope)."""
    from models_library.models import ModelPortfolio, ModelVersion
    from trading.models import Blotter, Run

    with rowsecurity.firm_scope(firm):
        household = Household.objects.filter(firm=firm).first()
        assert household is not None
        account = household.accounts.first()
        assert account is not None
        return [
            f"/households/{household.pk}/",
            f"/households/{household.pk}/preferences/",
            f"/accounts/{account.pk}/",
            f"/accounts/{account.pk}/history/",
            f"/proposals/{_first_pk(Proposal, firm)}/",
            f"/blotters/{_first_pk(Blotter, firm)}/",
            f"/runs/{_first_pk(Run, firm)}/",
            f"/models/{_first_pk(ModelPortfolio, firm)}/",
            f"/versions/{_first_pk(ModelVersion, firm)}/",
        ]


def _first_pk(model: type[Model], firm: Firm) -> int:
    """The pk of the firm's first row of ``model`` (by the model's ordering, else pk)."""
    first = model._default_manager.filter(firm=firm).first()
    assert first is not None, f"{firm} has no {model._meta.verbose_name}"
    return first.pk


@pytest.mark.django_db(transaction=True)
def test_every_page_works_as_the_application_role_and_the_other_firms_are_not_found(two_firms):
    firm_a, firm_b = two_firms
    browser = Client()
    assert browser.login(username="rls-a-admin", password="demo-pass-2026")
    lists = [
        "/dashboard/", "/households/", "/accounts/", "/proposals/", "/blotters/", "/runs/",
        "/models/", "/audit/", "/security/", "/firm/security/", "/firm/members/",
        "/firm/api-keys/", "/firm/settings/",
    ]  # fmt: skip
    for url in lists + _detail_urls(firm_a):
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url in _detail_urls(firm_b):
        assert browser.get(url).status_code == 404, url
