"""CSV in and out, next to JSON, for the order export and fills import."""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder


class CSVTextRenderer(BaseRenderer):
    """Renders a view's CSV text as is; anything else (a problem body) as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode()
        return json.dumps(data, cls=JSONEncoder).encode()


class CSVTextParser(BaseParser):
    """A ``text/csv`` body as text."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        text = stream.read().decode("utf-8", errors="replace")
        if "\x00" in text:
            raise ParseError("CSV body contains a NUL character")
        return text
