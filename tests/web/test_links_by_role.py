"""A page shows only the links its reader may open: every link on every page a role can
open leads to a page that role can open too (no 403 behind a link)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from rebalancer.actors import Actor
from tests.web.helpers import client_for
from tests.web.pages import pages
from trading.services.blotters import blotter_create
from trading.services.review import proposals_bulk_approve

from .conftest import ROLES

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a [^>]*href="(/[^"#]*)"')
# links that leave the pages (files, sign-out) are not pages to open
NOT_PAGES = ("/static/", "/api/")


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_link_a_role_is_shown_opens(book, role):
    # given a book with a run, proposals, an approved one and a blotter
    advisor = Actor.person(book.people["advisor"])
    proposals_bulk_approve(firm=book.firm, actor=advisor, proposal_ids=[book.proposals[0].pk])
    blotter = blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))
    client = client_for(book.people[role])
    # when the role opens each page it may open and follows each link on it
    broken: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for name, url, readers in pages(book, blotter=blotter):
        if role not in readers:
            continue
        response = client.get(url)
        assert response.status_code == 200, (role, name)
        for link in set(HREF.findall(response.content.decode())):
            path = urlsplit(link.replace("&amp;", "&")).path
            if path in seen or path.startswith(NOT_PAGES):
                continue
            seen.add(path)
            if client.get(path).status_code == 403:
                broken.add((name, path))
    # then none of them is refused
    assert broken == set()
