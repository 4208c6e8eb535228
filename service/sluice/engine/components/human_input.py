"""Human Input (Langflow 1.13's `HumanInput`): the run waits for a person's decision, then goes on
down the branch of the chosen action (`branch_<action_id>`); the other branches do not run.

The request names the node and the job, so a decision given for one pause cannot answer another.
With `enable_fallback` on, a `fallback` branch is taken when nobody answered within `timeout`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.pause import Suspend
from sluice.engine.values import Message, to_text

FALLBACK = "fallback"
# Langflow offers minutes, hours and days; seconds too here, for short waits.
UNIT_SECONDS = {"Seconds": 1, "Minutes": 60, "Hours": 3600, "Days": 86400}


def action_id(label: Any) -> str:
    """The branch id of an action label, as Langflow makes it ('Request Changes' -> 'request_changes')."""
    return str(label).strip().lower().replace(" ", "_")


def actions(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    labels = params.get("decisions")
    seen: dict[str, str] = {}
    for label in labels if isinstance(labels, list) else ["Approve", "Reject"]:
        if action_id(label) and action_id(label) not in seen:
            seen[action_id(label)] = str(label).strip()
    return list(seen.items())


def timeout_seconds(params: Mapping[str, Any]) -> int:
    timeout = params.get("timeout")
    if not isinstance(timeout, Mapping):
        return 0
    return int(timeout.get("value") or 0) * UNIT_SECONDS.get(timeout.get("unit") or "Days", UNIT_SECONDS["Days"])


class HumanInput(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        request_id = f"{node.id}:{context.job_id}"
        prompt = to_text(params.get("prompt"))
        decision = context.decisions.get(request_id)
        if decision is None:
            fallback = bool(params.get("enable_fallback"))
            raise Suspend({
                "request_id": request_id,
                "kind": "node_input",
                "prompt": prompt,
                "options": [{"action_id": action, "label": label} for action, label in actions(params)],
                "allowed_decisions": [action for action, _ in actions(params)] + ([FALLBACK] if fallback else []),
                "timeout_seconds": timeout_seconds(params),
                "fallback_action": FALLBACK if fallback else None,
                "paused_at": datetime.now(UTC).isoformat(),
                "component_id": node.id,
            })
        return {f"branch_{decision['action_id']}": Message(text=prompt, sender="User", sender_name="User")}
