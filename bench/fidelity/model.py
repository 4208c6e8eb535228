"""The recording model server both systems talk to: tests/fake_openai.py with answers that follow
from the request alone, so each system gets the same answer to the same request.

- A request that forces a tool (`tool_choice`, as Structured Output's extractor does) gets a call
  of that tool with arguments made from its schema; one that asks for a JSON schema
  (`response_format`) gets JSON made from it.
- A user message carrying `[[call NAME {json}]]` gets that tool call, until a tool answered.
- Anything else gets `echo: <last user text>`, followed by the tools' answers so far.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Mapping
from typing import Any

from tests import fake_openai

_DIRECTIVE = re.compile(r"\[\[call (\S+) (\{.*?\})\]\]", re.S)
MARK = "/fidelity/mark"


def loopback_name() -> str:
    """A host name for 127.0.0.1 other than `localhost`: lfx in a container rewrites that one."""
    name = socket.gethostname()
    try:
        return name if socket.gethostbyname(name).startswith("127.") else "127.0.0.1"
    except OSError:
        return "127.0.0.1"


class RecordingModel(fake_openai.FakeOpenAI):
    def __init__(self) -> None:
        super().__init__()
        self.host = loopback_name()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}/v1"

    def mark(self, label: str) -> None:
        with self._lock:
            self.requests.append({"path": MARK, "body": {"mark": label}, "authorization": None})

    def turns(self) -> dict[str, list[dict[str, Any]]]:
        """The chat requests recorded after each mark, by the mark's label."""
        found: dict[str, list[dict[str, Any]]] = {}
        current: list[dict[str, Any]] | None = None
        with self._lock:
            for request in self.requests:
                if request["path"].endswith(MARK):
                    current = found.setdefault(request["body"]["mark"], [])
                elif current is not None and request["path"].endswith("/chat/completions"):
                    current.append(request["body"])
        return found

    def _answer(self, path: str, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        if path.endswith(MARK):
            self.mark(body["mark"])
            return fake_openai.text("")
        with self._lock:
            self.requests.append({"path": path, "body": body, "authorization": authorization})
        return answer(body)


def answer(body: Mapping[str, Any]) -> dict[str, Any]:
    messages = body.get("messages") or []
    forced = body.get("tool_choice")
    if isinstance(forced, Mapping) and isinstance(forced.get("function"), Mapping):
        name = forced["function"].get("name")
        for tool in body.get("tools") or ():
            if tool.get("function", {}).get("name") == name:
                return fake_openai.tool_call(name, sample(tool["function"].get("parameters") or {}), "call_forced")
    wanted = body.get("response_format")
    if isinstance(wanted, Mapping) and wanted.get("type") == "json_schema":
        return fake_openai.text(json.dumps(sample(wanted["json_schema"].get("schema") or {})))
    said = [_content(m) for m in messages if m.get("role") == "user"]
    results = [_content(m) for m in messages if m.get("role") == "tool"]
    last = said[-1] if said else ""
    directive = _DIRECTIVE.search(last)
    if directive and not results:
        return fake_openai.tool_call(directive.group(1), json.loads(directive.group(2)), "call_1")
    return fake_openai.text("echo: " + last + "".join(f"\n[tool] {result}" for result in results))


def sample(schema: Mapping[str, Any], defs: Mapping[str, Any] | None = None) -> Any:
    """A value that fits a JSON schema: the same value every time."""
    defs = schema.get("$defs", defs) or {}
    if "$ref" in schema:
        return sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for combined in ("anyOf", "allOf", "oneOf"):
        if schema.get(combined):
            return sample(schema[combined][0], defs)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: sample(spec, defs) for name, spec in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [sample(schema.get("items") or {}, defs)]
    return {"string": "sample", "integer": 1, "number": 1.5, "boolean": True, "null": None}.get(kind, "sample")


def _content(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, Mapping))
    return content if isinstance(content, str) else ""
