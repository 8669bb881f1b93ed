"""HTTP plumbing of the fake Bot API: request decoding and JSON responses."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakes.botapi_methods import UploadedFiles
from tests.fakes.botapi_models import ApiError, Params


def json_response(status: int, body: dict[str, Any]) -> web.Response:
    """A JSON response with the given HTTP status."""
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )


def maybe_int(value: Any) -> int | None:
    """``int(value)``, or None when it is not a number (e.g. "@channel")."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def read_params(request: web.Request) -> tuple[Params, UploadedFiles]:
    """Normalise query string, JSON, urlencoded and multipart bodies into one dict + files."""
    params: Params = dict(request.query)
    files: UploadedFiles = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        params.update(body)
    elif request.content_type == "multipart/form-data":
        # Parsed by hand: request.post() spools uploads to temp files we would have to close.
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                mime = part.headers.get("Content-Type")
                files[part.name] = (part.filename, bytes(await part.read()), mime)
            else:
                params[part.name] = await part.text()
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params, files
