"""Langflow 1.13's body of POST /api/v2/workflows, served beside the documented one on the same jobs.

A body is one form or the other, told apart by its fields: `background`, `stream` and `inputs` are
the documented form's, `input_value`, `tweaks`, `mode` and the rest 1.13's (`flow_id`, `flow_version`
and `idempotency_key` belong to both). The 1.13 form is translated into the same run: `tweaks` and
`input_value` and `session_id` into `component_id.parameter` inputs, `globals` into the sealed per-run
variables of the `X-LANGFLOW-GLOBAL-VAR-*` headers. What the job is answered with (its mode, stream
protocol, outputs asked for) is kept with it, so its status reads and event stream answer as 1.13 does.
Every field is carried out or refused by name; none is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from sluice.convert import converter
from sluice.engine.graph import Graph
from sluice.engine.inputs import accepts
from sluice.http.bodies import NativeRunRequest, RunRequest
from sluice.http.errors import ApiError

DOCUMENTED_ONLY = frozenset({"background", "stream", "inputs"})
NATIVE_ONLY = (frozenset(field.name for field in attrs.fields(NativeRunRequest))
               - frozenset(field.name for field in attrs.fields(RunRequest)))
MODES = ("sync", "stream", "background")
STREAM_PROTOCOLS = ("langflow", "agui")
# Langflow's bounds on `globals`.
GLOBAL_NAME_MAX = 256
GLOBAL_VALUE_MAX = 64 * 1024
# 1.13 fields Sluice does not carry out, and why.
REFUSED = {
    "data": "Sluice runs stored flow versions only; save the changed flow (PUT /api/v1/flows/{id}) and run it",
    "files": "attach files through the component's own field in `tweaks`",
    "start_component_id": "Sluice runs whole flows",
    "stop_component_id": "Sluice runs whole flows",
}
# The components `input_value` goes to: the flow's chat inputs, else its text inputs.
INPUT_TYPES = ("ChatInput", "TextInput")


@attrs.frozen
class NativeOptions:
    """How a run submitted in the 1.13 body is answered; stored with its job."""

    mode: str
    stream_protocol: str
    expose_graph_state: bool | None
    output_ids: list[str] | None
    session_id: str | None


def is_native(body: Any) -> bool:
    """Whether a decoded body is the 1.13 form; a 400 naming them when it holds fields of both."""
    if not isinstance(body, Mapping):
        return False
    native = sorted(NATIVE_ONLY & body.keys())
    documented = sorted(DOCUMENTED_ONLY & body.keys())
    if native and documented:
        raise ApiError(400, "MIXED_REQUEST_FORMS",
                       f"The body mixes the documented form's fields ({', '.join(documented)}) with Langflow "
                       f"1.13's ({', '.join(native)}); send one form or the other.")
    return bool(native)


def options(body: NativeRunRequest) -> NativeOptions:
    """The body's answering options, once every field it sets is one Sluice carries out."""
    for name, reason in REFUSED.items():
        if getattr(body, name):
            raise ApiError(400, "FIELD_NOT_SUPPORTED", f"The field `{name}` is not supported: {reason}.", field=name)
    if body.mode not in MODES:
        raise ApiError(400, "INVALID_REQUEST", f"The field `mode` must be one of {', '.join(MODES)}.")
    if body.stream_protocol not in STREAM_PROTOCOLS:
        raise ApiError(422, "UNKNOWN_STREAM_PROTOCOL",
                       f"Unknown stream_protocol {body.stream_protocol!r}; available: {', '.join(STREAM_PROTOCOLS)}.")
    for name, value in body.globals.items():
        if not 0 < len(name) <= GLOBAL_NAME_MAX or len(value) > GLOBAL_VALUE_MAX:
            raise ApiError(400, "INVALID_REQUEST", f"The `globals` entry {name[:40]!r} is too long: names hold 1 to "
                           f"{GLOBAL_NAME_MAX} characters, values at most {GLOBAL_VALUE_MAX}.")
    return NativeOptions(body.mode, body.stream_protocol, body.expose_graph_state, body.output_ids,
                         body.session_id)


def stored_options(request: Mapping[str, Any] | None) -> NativeOptions | None:
    return None if request is None else converter.structure(request, NativeOptions)


def run_inputs(body: NativeRunRequest, graph: Graph) -> dict[str, Any]:
    """The run's `component_id.parameter` inputs: its tweaks, then `input_value` for the flow's chat
    inputs and `session_id` for every component that has one (as 1.13 applies them over tweaks)."""
    inputs: dict[str, Any] = {}
    for component, parameters in body.tweaks.items():
        if not isinstance(parameters, Mapping):
            raise ApiError(400, "INVALID_INPUTS", f"The tweak {component!r} must be an object of parameters, "
                           "`{component_id: {parameter: value}}`.", key=f"tweaks.{component}")
        inputs.update({f"{component}.{name}": value for name, value in parameters.items()})
    if body.input_value:
        targets = next(([node for node in graph.nodes.values() if node.type == kind] for kind in INPUT_TYPES
                        if any(node.type == kind for node in graph.nodes.values())), [])
        if not targets:
            raise ApiError(400, "INVALID_INPUTS", "The field `input_value` has nowhere to go: the flow has no Chat "
                           "Input or Text Input; set a component's field through `tweaks`.", key="input_value")
        inputs.update({f"{node.id}.input_value": body.input_value for node in targets})
    if body.session_id:
        inputs.update({f"{node.id}.session_id": body.session_id
                       for node in graph.nodes.values() if accepts(node, "session_id")})
    return inputs


def check_output_ids(output_ids: list[str] | None, graph: Graph) -> None:
    """1.13 refuses output ids the flow does not produce, before running it."""
    terminal = graph.terminal_ids()
    unknown = [output_id for output_id in output_ids or () if output_id not in terminal]
    if unknown:
        raise ApiError(422, "UNKNOWN_OUTPUT_IDS", f"The output_ids {', '.join(unknown)} are not outputs of this flow; "
                       f"its outputs: {', '.join(terminal)}.")
