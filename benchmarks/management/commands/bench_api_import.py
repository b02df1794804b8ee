"""Benchmark: 10,000 lots imported in one API call (buys through the transactions bulk
endpoint, so the lot engine runs for every household), timed end to end.

Everything happens in a throwaway firm inside one database transaction that is rolled
back at the end, so the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from accounts.services.book import account_create, household_create
from firms.models import Firm
from firms.services.api_keys import api_key_create
from rebalancer import rowsecurity
from rebalancer.actors import Actor

SYMBOLS = {"BAPI1": "us_equity", "BAPI2": "us_equity", "BAPI3": "us_bond", "BAPI4": "intl_equity"}
TARGET_SECONDS = 10.0


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time one POST /api/v1/transactions/bulk/ of 10,000 buys (10,000 open lots)."

    def add_arguments(self, parser):
        parser.add_argument("--lots", type=int, default=10_000)
        parser.add_argument("--accounts", type=int, default=100)
        parser.add_argument("--accounts-per-household", type=int, default=2)

    def handle(self, *args, **options):
        lots, accounts = options["lots"], options["accounts"]
        if lots < 1 or accounts < 1 or lots > 20_000:
            raise CommandError("--lots must be 1 to 20,000 and --accounts at least 1")
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"]):
                self._run(
                    lots=lots, accounts=accounts, per_household=options["accounts_per_household"]
                )
                raise Rollback
        except Rollback:
            pass

    def _run(self, *, lots: int, accounts: int, per_household: int) -> None:
        firm = Firm.objects.create(name="API benchmark", slug=f"bench-api-{time.time_ns()}")
        rowsecurity.set_firm(firm.pk)
        key = api_key_create(
            firm=firm, actor=Actor.system("bench"), name="bench", scopes=["import", "read"]
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
        securities = [
            {"symbol": s, "name": s, "security_type": "etf", "asset_class": c}
            for s, c in SYMBOLS.items()
        ]
        self._post(client, "/api/v1/securities/bulk/", {"rows": securities})
        numbers = []
        for i in range(accounts):
            if i % per_household == 0:
                household = household_create(
                    firm=firm, actor=Actor.system("bench"), name=f"Household {i}"
                )
            account = account_create(
                firm=firm,
                actor=Actor.system("bench"),
                household=household,
                account_number=f"BENCH-{i:05d}",
                name=f"Account {i}",
                custodian="Bench",
                registration_type="individual",
            )
            numbers.append(account.account_number)
        start = dt.date(2023, 1, 2)
        symbols = list(SYMBOLS)
        rows = [
            {
                "account_number": numbers[n % accounts],
                "external_id": f"BENCH-BUY-{n:06d}",
                "date": (start + dt.timedelta(days=n // accounts % 700)).isoformat(),
                "type": "buy",
                "symbol": symbols[n % len(symbols)],
                "quantity": f"{1 + n % 50}.5",
                "amount_usd": f"{(1 + n % 50) * 101}.25",
            }
            for n in range(lots)
        ]
        body = json.dumps({"rows": rows})
        began = time.perf_counter()
        result = self._post(client, "/api/v1/transactions/bulk/", body, raw=True)
        seconds = time.perf_counter() - began
        if result["open_lots"] != lots:
            raise CommandError(f"expected {lots} open lots, the API reports {result['open_lots']}")
        verdict = "within" if seconds < TARGET_SECONDS else "OVER"
        self.stdout.write(
            f"imported {lots:,} lots ({result['transactions']:,} transactions, "
            f"{result['accounts']} accounts, {result['households']} households) in one API "
            f"call: {seconds:.2f} s ({lots / seconds:,.0f} lots/s; {verdict} the "
            f"{TARGET_SECONDS:.0f} s target)"
        )

    def _post(self, client: Client, path: str, payload, *, raw: bool = False) -> dict:
        body = payload if raw else json.dumps(payload)
        response = client.post(path, body, content_type="application/json")
        if response.status_code != 200:
            raise CommandError(f"{path}: {response.status_code} {response.content[:500]!r}")
        return response.json()
