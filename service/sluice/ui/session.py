"""Dashboard sign-in: a signed, HTTP-only, SameSite=Strict cookie holding the hash of the API key
used to sign in (never the key), checked against live keys on every request so that revoking the
key ends the session. Forms carry a CSRF token derived from the session."""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from sluice.store import keys

COOKIE = "sluice_session"


class NoSecretKey(RuntimeError):
    """The dashboard signs its cookies with SLUICE_SECRET_KEY, which is not set."""


def _serializer(request: Request) -> URLSafeSerializer:
    secret = request.app.state.sluice.settings.secret_key
    if not secret:
        raise NoSecretKey("The dashboard needs SLUICE_SECRET_KEY to sign its sessions.")
    return URLSafeSerializer(secret, salt="sluice-dashboard-session")


def start(request: Request, response: Response, key: str) -> None:
    value = _serializer(request).dumps({"key_hash": keys.key_hash(key).hex()})
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict", path="/ui",
                        secure=request.url.scheme == "https")


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")


async def owner(request: Request) -> str | None:
    """The signed-in owner, or None (no cookie, a forged one, or a key revoked since)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer(request).loads(cookie)
        digest = bytes.fromhex(data["key_hash"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return await request.app.state.sluice.keys.owner_of_hash(digest)


def csrf_token(request: Request) -> str:
    """Tied to this session: a page from another site cannot know it."""
    secret = request.app.state.sluice.settings.secret_key or ""
    session = request.cookies.get(COOKIE, "")
    return hmac.new(secret.encode(), f"csrf:{session}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(request), str(token))
