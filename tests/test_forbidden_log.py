"""A page a role may not open answers 403 and leaves one line in the server's log."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.web.helpers import client_for


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_without_a_traceback(advisor_a, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(advisor_a).get(reverse("firm_security"))

    records = [r for r in caplog.records if r.name == "django.request"]
    assert response.status_code == 403
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("WARNING", "Forbidden (Permission denied): /firm/security/", None)
    ]
    assert "Traceback" not in caplog.text and len(caplog.text.strip().splitlines()) == 1
