"""HTTP and JSON for the protocol modules: one request, its errors, a streamed answer's lines.

Every failure becomes a ProviderError that names the endpoint (never the key) and says whether the
call may be tried again: no connection, 429 and 5xx may; any other 4xx, or an answer that is not
what the protocol promises, may not.
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
import orjson

from sluice.engine.errors import ComponentError
from sluice.engine.models.chat import ChatModel

# Lines read after the answer's end to finish its body; a server that sends more loses the connection.
TRAILING_LINES = 8


class ProviderError(ComponentError):
    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


def timeout(model: ChatModel) -> httpx.Timeout:
    return httpx.Timeout(model.timeout, connect=min(model.timeout, 10.0))


async def post(client: httpx.AsyncClient, model: ChatModel, url: str, body: Mapping[str, Any],
               headers: Mapping[str, str]) -> Mapping[str, Any]:
    """POST `body` as JSON; the JSON object answered."""
    with reaching(model):
        response = await client.post(url, json=body, headers=dict(headers), timeout=timeout(model))
    check(model, response)
    return json_object(model, response.content)


@contextlib.asynccontextmanager
async def streamed(client: httpx.AsyncClient, model: ChatModel, url: str, body: Mapping[str, Any],
                   headers: Mapping[str, str]) -> AsyncIterator[AsyncIterator[str]]:
    """POST `body` and yield the answer's lines, once its status says it is an answer."""
    with reaching(model):
        async with client.stream("POST", url, json=body, headers=dict(headers), timeout=timeout(model)) as response:
            if response.status_code >= 400:
                await response.aread()
                check(model, response)
            lines = response.aiter_lines()
            yield lines
            # A reader stops at the answer's last event (`[DONE]`); what follows is normally only the
            # body's end. Reading it returns the connection to the pool for the next call, where an
            # unread body would close it (a new TCP and TLS handshake per call).
            with contextlib.suppress(httpx.HTTPError):  # the answer is whole: only the connection is lost
                for _ in range(TRAILING_LINES):
                    if await anext(lines, None) is None:
                        break


def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[Any]:
    """The JSON payloads of a server-sent-events stream's `data:` lines, until `[DONE]`."""
    async def payloads() -> AsyncIterator[Any]:
        async for line in lines:
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                return
            with contextlib.suppress(orjson.JSONDecodeError):
                yield orjson.loads(payload)
    return payloads()


@contextlib.contextmanager
def reaching(model: ChatModel) -> Iterator[None]:
    """Turns transport failures into errors that name the endpoint (and never the key)."""
    try:
        yield
    except httpx.TimeoutException as error:
        # A connection that never opened may be tried again; a model that thinks too long is not.
        raise ProviderError(f"the model endpoint {model.base_url} did not answer within {model.timeout:g} s.",
                            retryable=isinstance(error, httpx.ConnectTimeout)) from None
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
        raise ProviderError(f"could not reach the model endpoint {model.base_url}: {error}.", retryable=True) \
            from None
    except httpx.HTTPError as error:
        raise ProviderError(f"could not reach the model endpoint {model.base_url}: {error}.") from None


def check(model: ChatModel, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = error_message(response.content) or response.text[:200].strip()
    raise ProviderError(
        f"the model endpoint {model.base_url} answered {status}" + (f": {detail}" if detail else "."),
        retryable=status == 429 or status >= 500, retry_after=retry_after(response.headers),
    )


def error_message(content: bytes) -> str:
    """The provider's own sentence from an error body, in any of the providers' shapes."""
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        return ""
    if isinstance(document, list) and document:  # Gemini's streaming endpoint wraps its errors in a list
        document = document[0]
    if not isinstance(document, Mapping):
        return ""
    error = document.get("error", document)
    if isinstance(error, Mapping):
        message = error.get("message") or error.get("detail")
        return str(message) if message else ""
    return str(error)


def retry_after(headers: httpx.Headers) -> float | None:
    """How long the provider asked to wait: `retry-after-ms`, or `Retry-After` in seconds or as a date."""
    if headers.get("retry-after-ms"):
        with contextlib.suppress(ValueError):
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    with contextlib.suppress(TypeError, ValueError):
        return max(email.utils.parsedate_to_datetime(raw).timestamp() - time.time(), 0.0)
    return None


def json_object(model: ChatModel, content: bytes) -> Mapping[str, Any]:
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, Mapping):
        raise ProviderError(f"the model endpoint {model.base_url} did not answer with a JSON object.")
    return document


def malformed(model: ChatModel, what: str) -> ProviderError:
    return ProviderError(f"the model endpoint {model.base_url} sent an answer that is not {what}.")
