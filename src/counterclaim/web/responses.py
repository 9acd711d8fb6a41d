"""The API's one JSON encoder, and the JSON response every endpoint and error answer sends."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi.responses import Response


def to_json(data: Any) -> bytes:
    """UTF-8 JSON with dates as ISO strings (the API's one encoder)."""
    return json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":")).encode("utf-8")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def json_response(body: bytes | Any, status: int = 200) -> Response:
    """``body`` as a JSON response: bytes already encoded (a cached body) are sent as they are."""
    return Response(body if isinstance(body, bytes) else to_json(body), status, media_type="application/json")


__all__ = ["json_response", "to_json"]
