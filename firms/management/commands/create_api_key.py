"""Issue an API key for a firm and print it (the only time it is shown)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firms.models import Firm
from firms.services.api_keys import api_key_create
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from rebalancer.rowsecurity import firm_scope


class Command(BaseCommand):
    help = "Issue an API key: create_api_key --firm SLUG --scopes read,import,trade --name X"

    def add_arguments(self, parser):
        parser.add_argument("--firm", required=True, help="The firm's slug.")
        parser.add_argument("--name", required=True, help="A name for the key, unique in the firm.")
        parser.add_argument("--scopes", default="read", help="Comma-separated: read,import,trade")
        parser.add_argument("--days", type=int, default=365, help="Days until it expires.")

    def handle(self, *args, **options):
        firm = Firm.objects.filter(slug=options["firm"]).first()
        if firm is None:
            raise CommandError(f"no firm with slug {options['firm']!r}")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        try:
            with firm_scope(firm):
                issued = api_key_create(
                    firm=firm,
                    actor=Actor.system("command:create_api_key"),
                    name=options["name"],
                    scopes=options["scopes"].split(","),
                    expires_at=timezone.now() + dt.timedelta(days=options["days"]),
                )
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"key {issued.api_key.name!r} for {firm.slug} ({','.join(issued.api_key.scopes)}), "
            f"expires {issued.api_key.expires_at:%Y-%m-%d}; store it now, it is not shown again:"
        )
        self.stdout.write(issued.raw_key)
