"""Dashboard sign-in: a signed, HTTP-only, SameSite=Strict cookie holding the hash of the API key
used to sign in (never the key), checked against live keys on every request so that revoking the
key ends the session. A session lasts LIFETIME past its last use: each signed-in page signs the
cookie again with a fresh timestamp, as Starlette's SessionMiddleware does with `max_age`. Forms
carry a CSRF token derived from the session's random id, which stays the same while it slides."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from sluice.store import keys

COOKIE = "sluice_session"
LIFETIME = 12 * 60 * 60  # seconds since the session was last used


class NoSecretKey(RuntimeError):
    """The dashboard signs its cookies with SLUICE_SECRET_KEY, which is not set."""


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.sluice.settings.secret_key
    if not secret:
        raise NoSecretKey("The dashboard needs SLUICE_SECRET_KEY to sign its sessions.")
    return URLSafeTimedSerializer(secret, salt="sluice-dashboard-session")


def start(request: Request, response: Response, key: str) -> None:
    _set(request, response, {"key_hash": keys.key_hash(key).hex(), "id": secrets.token_hex(16)})


def refresh(request: Request, response: Response) -> None:
    """Sign the session read by `owner` again, so it lasts LIFETIME from now."""
    data = getattr(request.state, "session", None)
    if data is not None:
        _set(request, response, data)


def _set(request: Request, response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(COOKIE, _serializer(request).dumps(data), max_age=LIFETIME, httponly=True,
                        samesite="strict", path="/ui", secure=request.url.scheme == "https")


def end(request: Request, response: Response) -> None:
    request.state.session = None  # nothing left for `refresh` to sign again
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")


async def owner(request: Request) -> str | None:
    """The signed-in owner, or None (no cookie, a forged one, or a key revoked since)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer(request).loads(cookie, max_age=LIFETIME)  # an expired one is a BadSignature
        digest = bytes.fromhex(data["key_hash"])
        session_id = str(data["id"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    owner = await request.app.state.sluice.keys.owner_of_hash(digest)
    if owner is not None:
        request.state.session = {"key_hash": digest.hex(), "id": session_id}
    return owner


def csrf_token(request: Request) -> str:
    """Tied to this session: a page from another site cannot know it."""
    secret = request.app.state.sluice.settings.secret_key or ""
    session = getattr(request.state, "session", {}).get("id", "")
    return hmac.new(secret.encode(), f"csrf:{session}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(request), str(token))
