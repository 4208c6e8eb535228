"""GET /openapi.json: every route, body and response of the API, in OpenAPI 3.1.

A maintained document rather than one inferred from handlers, because the handlers build their
responses as plain JSON; the request bodies that are attrs classes are described from those classes,
so the two cannot drift. A test checks that every route of the app appears here and nothing else.
"""

from __future__ import annotations

import typing
from importlib.metadata import version
from typing import Any
from uuid import UUID

import attrs
import orjson
from starlette.requests import Request
from starlette.responses import Response

from sluice.http.bodies import NativeRunRequest, ResumeRequest, RunRequest, StopRequest
from sluice.http.native_run import MODES, NATIVE_ONLY, REFUSED, STREAM_PROTOCOLS
from sluice.models import JobStatus
from sluice.runs.submit import MAX_KEY_LENGTH
from sluice.runs.v1 import INPUT_TYPES, MAX_ADVANCED_INPUTS, OUTPUT_TYPES, V1Run

_JSON_TYPES: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    dict[str, Any]: {"type": "object"},
    str | None: {"type": ["string", "null"]},
    dict[str, Any] | None: {"type": ["object", "null"]},
    tuple[str, ...]: {"type": "array", "items": {"type": "string"}},
    tuple[str, ...] | None: {"type": ["array", "null"], "items": {"type": "string"}},
    list[str] | None: {"type": ["array", "null"], "items": {"type": "string"}},
    UUID: {"type": "string", "format": "uuid"},
    bool | None: {"type": ["boolean", "null"]},
    list[str] | None: {"type": ["array", "null"], "items": {"type": "string"}},
    dict[str, str]: {"type": "object", "additionalProperties": {"type": "string"}},
    dict[str, Any] | None: {"type": ["object", "null"]},
}


def body_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of an attrs request body: its fields, the required ones, nothing else allowed."""
    hints = typing.get_type_hints(cls)
    properties = {field.name: dict(_JSON_TYPES[hints[field.name]]) for field in attrs.fields(cls)}
    required = [field.name for field in attrs.fields(cls) if field.default is attrs.NOTHING]
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _with_key_limits(schema: dict[str, Any]) -> dict[str, Any]:
    """The run body's `idempotency_key` holds 1 to MAX_KEY_LENGTH characters."""
    key = {**schema["properties"]["idempotency_key"], "minLength": 1, "maxLength": MAX_KEY_LENGTH,
           "description": "A repeat with the same key from the same owner returns the original job."}
    return {**schema, "properties": {**schema["properties"], "idempotency_key": key}}


def _native_run_schema() -> dict[str, Any]:
    """Langflow 1.13's run body: a body is this form when it holds one of its own fields."""
    schema = body_schema(NativeRunRequest)
    properties = schema["properties"]
    properties["mode"] = {**properties["mode"], "enum": list(MODES), "default": "sync"}
    properties["stream_protocol"] = {**properties["stream_protocol"], "enum": list(STREAM_PROTOCOLS)}
    properties["globals"] = {**properties["globals"], "propertyNames": {"minLength": 1, "maxLength": 256},
                             "additionalProperties": {"type": "string", "maxLength": 64 * 1024},
                             "description": "Per-run global variables, as secret as X-LANGFLOW-GLOBAL-VAR-* "
                                            "headers (and winning over them)."}
    properties["tweaks"] = {"type": "object", "additionalProperties": {"type": "object"},
                            "description": "`{component_id: {parameter: value}}`, checked like `inputs`."}
    for name in REFUSED:
        properties[name] = {**properties[name], "description": "Not supported: a 400 (FIELD_NOT_SUPPORTED) unless "
                                                               "empty."}
    schema["anyOf"] = [{"required": [name]} for name in sorted(NATIVE_ONLY)]
    return _with_key_limits(schema)


def _v1_run_schema() -> dict[str, Any]:
    """Langflow's v1 run body: unknown fields are ignored, as Langflow ignores them."""
    schema = body_schema(V1Run)
    # The advanced run's own choices, which only its route takes.
    shared = {name: spec for name, spec in schema["properties"].items() if name not in ("input_components", "outputs")}
    properties = {
        **shared,
        "input_type": {"enum": [*INPUT_TYPES, None], "default": "chat"},
        "output_type": {"enum": [*OUTPUT_TYPES, None], "default": "chat"},
        "tweaks": {"type": ["object", "null"], "additionalProperties": {"type": "object"},
                   "description": "`{component_id_or_display_name: {parameter: value}}`, checked against the flow."},
        "stream": {"type": "boolean", "description": "As `?stream=true`."},
    }
    return {**schema, "properties": properties, "additionalProperties": True}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): {"$ref": f"#/components/responses/{status}"} for status in statuses}


_UUID = {"type": "string", "format": "uuid"}
_TIMESTAMP = {"type": "string", "format": "date-time"}
_STATUS = {"type": "string", "enum": [status.value for status in JobStatus]}
_V1_STREAM = {
    "description": "Langflow's v1 stream: one JSON object `{event, data}` per event, each followed by a blank "
                   "line: `add_message`, `token` (`{chunk}`), `end_vertex`, and last `end` (`{result}`: the "
                   "RunResponse) or `error` (`{error}`). Idle streams receive blank lines.",
    "schema": {"type": "string"},
}
_EVENT_STREAM = {
    "description": "Server-sent events, each `id: <sequence_id>`, `event: <type>`, `data: <json>`; the stream "
                   "closes after `end`. Idle streams receive a comment line every 15 seconds.",
    "schema": {"$ref": "#/components/schemas/ServerEvent"},
}


def _chat_node(node_id: str, node_type: str) -> dict[str, Any]:
    return {"id": node_id, "type": "genericNode", "data": {"id": node_id, "type": node_type, "node": {
        "display_name": node_type,
        "template": {"input_value": {"type": "str", "value": "", "list": False}},
        "outputs": [{"name": "message", "types": ["Message"]}],
    }}}


EXAMPLE_FLOW = {
    "name": "Echo",
    "description": "Answers with the chat message it is given.",
    "data": {
        "nodes": [_chat_node("ChatInput-demo", "ChatInput"), _chat_node("ChatOutput-demo", "ChatOutput")],
        "edges": [{"source": "ChatInput-demo", "target": "ChatOutput-demo", "data": {
            "sourceHandle": {"id": "ChatInput-demo", "name": "message", "output_types": ["Message"]},
            "targetHandle": {"id": "ChatOutput-demo", "fieldName": "input_value", "inputTypes": ["Message"],
                             "type": "str"},
        }}],
    },
}
EXAMPLE_RUN = {"flow_id": "echo", "inputs": {"ChatInput-demo.input_value": "Hello, Sluice!"}}
EXAMPLE_NATIVE_RUN = {"flow_id": "echo", "input_value": "Hello, Sluice!", "mode": "sync"}

# Where one response's ids feed the next request: for client generators and stateful fuzzers.
_FLOW_LINKS = {
    name: {"operationId": operation, "parameters": {"flow_id": "$response.body#/id"}}
    for name, operation in (("ReadFlow", "readFlow"), ("UpdateFlow", "updateFlow"),
                            ("ListFlowVersions", "listFlowVersions"), ("DeleteFlow", "deleteFlow"))
} | {"RunFlow": {"operationId": "runWorkflow", "requestBody": {"flow_id": "$response.body#/id"}}}
_JOB_LINKS = {
    "GetJob": {"operationId": "getWorkflow", "parameters": {"job_id": "$response.body#/job_id"}},
    "StopJob": {"operationId": "stopWorkflow", "requestBody": {"job_id": "$response.body#/job_id"}},
}

_FLOW_FIELDS = {
    "name": {"type": ["string", "null"]},
    "description": {"type": ["string", "null"]},
    "endpoint_name": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_-]{0,100}$",
                      "description": "Unique per owner; derived from the name when absent."},
    "timeout_seconds": {"type": ["integer", "null"], "minimum": 1,
                        "description": "Maximum run time of this flow's jobs, below SLUICE_JOB_TIMEOUT."},
}
_GRAPH_FIELDS = {
    "nodes": {"type": "array", "items": {"type": "object"}},
    "edges": {"type": "array", "items": {"type": "object"}},
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Every error. Ids the error concerns (`flow_id`, `job_id`, `file_id`...) are added.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"}},
        "required": ["detail", "code"],
    },
    "ServerEvent": {
        "type": "object",
        "description": "One event of a job's durable log. Types: `status` (`{status}`), `component_start` and "
                       "`component_end` (`{component_id, type, time, outputs}`), `token` (`{component_id, chunk}`), "
                       "and last `end`, whose data is the execution response.",
        "properties": {
            "id": {"type": "string", "pattern": "^[1-9][0-9]*$", "description": "The event's sequence_id."},
            "event": {"type": "string"},
            "data": {"type": "string", "contentMediaType": "application/json"},
        },
        "required": ["id", "event", "data"],
    },
    "LangflowEvent": {
        "type": "object",
        "description": "One event of a job in Langflow 1.13's framing: `data: <json>`, and `id: <sequence_id>` "
                       "on the last frame each logged event becomes. `langflow` protocol: `{event, data}`, events "
                       "`vertices_sorted`, `build_start`, `end_vertex`, `add_message`, `token`, `output`, then "
                       "`end`, `error` or `cancelled`. `agui` protocol: AG-UI events (`RUN_STARTED`, "
                       "`TEXT_MESSAGE_*`, `TOOL_CALL_*`, `STEP_*`, `STATE_*`, `CUSTOM`, `RUN_ERROR`, "
                       "`RUN_FINISHED`). Idle streams receive `: keepalive`.",
        "properties": {
            "id": {"type": "string", "pattern": "^[1-9][0-9]*$"},
            "data": {"type": "string", "contentMediaType": "application/json"},
        },
        "required": ["data"],
    },
    "RunRequest": _with_key_limits(body_schema(RunRequest)),
    "NativeRunRequest": _native_run_schema(),
    "StopRequest": body_schema(StopRequest),
    "ResumeRequest": {**body_schema(ResumeRequest), "properties": {
        "request_id": {"type": "string"},
        "decision": {"type": "object", "properties": {"action_id": {"type": "string"}, "values": {}},
                     "required": ["action_id"], "description": "One of the request's `allowed_decisions`."}}},
    "PendingRequest": {
        "type": "object",
        "description": "A suspended job and the Human Input request it waits on.",
        "properties": {
            "job_id": _UUID, "flow_id": _UUID, "session_id": {"type": "string"}, "created_at": _TIMESTAMP,
            "request_id": {"type": "string"}, "kind": {"type": "string"}, "prompt": {"type": "string"},
            "options": {"type": "array", "items": {"type": "object"}},
            "allowed_decisions": {"type": "array", "items": {"type": "string"}},
            "timeout_seconds": {"type": "integer"}, "deadline": {"type": ["string", "null"]},
        },
        "required": ["job_id", "flow_id", "request_id", "prompt", "options", "allowed_decisions"],
    },
    "V1RunRequest": _v1_run_schema(),
    "AdvancedRunRequest": {
        "type": "object",
        "description": "Each input is a run (a job) of its own; `outputs` names the output components (all "
                       "when empty). Unknown fields are ignored.",
        "properties": {
            "inputs": {"type": ["array", "null"], "maxItems": MAX_ADVANCED_INPUTS, "items": {
                "type": "object", "properties": {
                    "components": {"type": ["array", "null"], "items": {"type": "string"}},
                    "input_value": {"type": ["string", "null"]}, "session": {"type": ["string", "null"]},
                    "type": {"enum": [*INPUT_TYPES, None], "default": "any"}}}},
            "outputs": {"type": ["array", "null"], "items": {"type": "string"}},
            "tweaks": {"type": ["object", "null"], "additionalProperties": {"type": "object"}},
            "stream": {"type": "boolean"},
            "session_id": {"type": ["string", "null"]},
        },
    },
    "RunResponse": {
        "type": "object",
        "description": "Langflow's RunResponse: one block for the request's input, with a result per selected "
                       "output component (`results.message.text`, `outputs.message.message`).",
        "properties": {
            "session_id": {"type": ["string", "null"]},
            "outputs": {"type": "array", "items": {"type": "object", "properties": {
                "inputs": {"type": "object"},
                "outputs": {"type": "array", "items": _ref("ResultData")},
            }, "required": ["inputs", "outputs"]}},
        },
        "required": ["session_id", "outputs"],
    },
    "ResultData": {
        "type": "object",
        "properties": {
            "results": {"type": "object"}, "artifacts": {"type": "object"}, "outputs": {"type": "object"},
            "logs": {"type": "object"}, "messages": {"type": "array", "items": {"type": "object"}},
            "component_display_name": {"type": "string"}, "component_id": {"type": "string"},
        },
        "required": ["results", "outputs", "component_id"],
    },
    "FlowExport": {
        "description": "A Langflow flow export (`data` holds the graph), or a bare `{nodes, edges}` graph. Other "
                       "export fields are accepted and ignored.",
        "anyOf": [_ref("WrappedGraph"), _ref("BareGraph")],
    },
    "FlowUpdate": {
        "description": "A flow export, whose graph becomes a new version and the current one; or only new "
                       "names for the flow.",
        "anyOf": [_ref("WrappedGraph"), _ref("BareGraph"),
                  {"type": "object", "properties": _FLOW_FIELDS,
                   "not": {"anyOf": [{"required": ["data"]}, {"required": ["nodes"]}]}}],
    },
    "WrappedGraph": {
        "type": "object",
        "properties": {**_FLOW_FIELDS, "data": _ref("Graph")},
        "required": ["data"],
    },
    "BareGraph": {
        "type": "object",
        "properties": {**_FLOW_FIELDS, **_GRAPH_FIELDS},
        "required": ["nodes"],
        "not": {"required": ["data"]},
    },
    "Graph": {"type": "object", "properties": _GRAPH_FIELDS, "required": ["nodes"]},
    "FlowSummary": {
        "type": "object",
        "properties": {
            "id": _UUID, "name": {"type": "string"}, "description": {"type": "string"},
            "endpoint_name": {"type": "string"}, "version": {"type": "string"},
            "created_at": _TIMESTAMP, "updated_at": _TIMESTAMP,
            "folder_id": {"type": ["string", "null"], "format": "uuid", "description": "The flow's project."},
            "user_id": {**_UUID, "description": "The owner, as a stable UUID."},
        },
        "required": ["id", "name", "description", "endpoint_name", "version", "created_at", "updated_at"],
    },
    "Flow": {
        "allOf": [_ref("FlowSummary"),
                  {"type": "object", "properties": {"data": _ref("Graph")}, "required": ["data"]}],
    },
    "FlowVersion": {
        "type": "object",
        "properties": {"version": {"type": "string"}, "created_at": _TIMESTAMP, "current": {"type": "boolean"}},
        "required": ["version", "created_at", "current"],
    },
    "FlowDeleted": {
        "type": "object",
        "properties": {"id": _UUID, "message": {"type": "string"}},
        "required": ["id", "message"],
    },
    "ComponentOutput": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["message", "data", "sql", "image", "file"]},
            "component_id": {"type": "string"},
            "status": {"type": "string"},
            "display_name": {"type": ["string", "null"], "description": "Langflow 1.13 body only."},
            "content": {},
            "metadata": {"type": "object"},
        },
        "required": ["type", "component_id", "status", "content"],
    },
    "ExecutionError": {
        "type": "object",
        "properties": {"error": {"type": "string"}, "code": {"type": "string"}, "details": {"type": "object"}},
        "required": ["error", "code"],
    },
    "ExecutionResponse": {
        "type": "object",
        "properties": {
            "flow_id": _UUID, "job_id": _UUID, "object": {"const": "response"},
            "created_at": {"type": "integer", "description": "Unix seconds."},
            "created_timestamp": _TIMESTAMP, "status": _STATUS,
            "errors": {"type": "array", "items": _ref("ExecutionError")},
            "inputs": {"type": "object"},
            "outputs": {"type": "object", "additionalProperties": _ref("ComponentOutput")},
            "metadata": {"type": "object", "properties": {"flow_version": {"type": "string"}}},
            "session_id": {"type": "string", "description": "Langflow 1.13 body only, as are the fields below."},
            "output": {"type": "object", "properties": {
                "reason": {"enum": ["single", "multiple", "none", "non_string", "failed"]},
                "text": {"type": ["string", "null"]}, "source": {"type": ["string", "null"]}},
                "required": ["reason", "text", "source"]},
            "has_errors": {"type": "boolean"},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "human_request": {"type": ["object", "null"],
                              "description": "A suspended run's Human Input request (1.13 body, sync)."},
        },
        "required": ["flow_id", "job_id", "object", "created_at", "created_timestamp", "status", "errors",
                     "inputs", "outputs", "metadata"],
    },
    "JobQueued": {
        "type": "object",
        "properties": {
            "job_id": _UUID, "flow_id": _UUID, "object": {"const": "job"}, "created_timestamp": _TIMESTAMP,
            "status": {"enum": [status.value for status in JobStatus],
                       "description": "`queued`; a repeated `idempotency_key` answers with the original job "
                                      "in its current status."},
            "errors": {"type": "array", "maxItems": 0},
            "links": {"type": "object",
                      "properties": {"status": {"type": "string"}, "events": {"type": "string"},
                                     "stop": {"type": "string"}},
                      "required": ["status", "events", "stop"]},
        },
        "required": ["job_id", "flow_id", "object", "created_timestamp", "status", "errors", "links"],
    },
    "StopResponse": {
        "type": "object",
        "properties": {"job_id": _UUID, "status": _STATUS, "message": {"type": "string"}},
        "required": ["job_id", "message"],
    },
}

RESPONSES: dict[str, Any] = {
    "400": _json(_ref("Error"), "Invalid request: bad JSON, wrong types, unknown fields, bad inputs keys."),
    "401": _json(_ref("Error"), "Missing, unknown or revoked API key."),
    "404": _json(_ref("Error"), "Not found, or owned by someone else; or the developer API is turned off."),
    "408": _json(_ref("Error"), "A sync run did not finish in time; the job keeps running (`job_id`)."),
    "409": _json(_ref("Error"), "Another flow of the owner already has this endpoint name; or the run's "
                                "`idempotency_key` was used before to run another flow; or (1.13 body) the job "
                                "to stop is not a background run; or the job to resume is not suspended on "
                                "that request."),
    "413": _json(_ref("Error"), "The request body is larger than the server's limit."),
    "422": _json(_ref("Error"), "Langflow 1.13 body: an unknown `stream_protocol` or `output_ids`; or a "
                                "resume's decision the request does not allow."),
    "500": _json(_ref("Error"), "Langflow 1.13 body: the job failed (`JOB_FAILED`, with `error_detail`)."),
    "503": _json(_ref("Error"), "The database is unavailable, or its schema is behind; or this API process "
                                "is shutting down (`SHUTTING_DOWN`: a sync run's job goes on, `job_id`)."),
}

_API = ("401", "404", "503")
_FLOW_REF = {"name": "flow_id_or_name", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "The flow's id or endpoint name."}
_FLOW_ID = {"name": "flow_id", "in": "path", "required": True, "schema": _UUID}


def _flag(name: str, default: bool, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "boolean", "default": default}}


_FOLDER = {"name": "folder_id", "in": "query", "required": False, "schema": _UUID,
           "description": "Only this project's flows."}
_PAGE = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": _ref("FlowSummary")}, "total": {"type": "integer"},
                   "page": {"type": "integer"}, "size": {"type": "integer"}, "pages": {"type": "integer"}},
    "required": ["items", "total", "page", "size", "pages"],
}


def _flows_collection(suffix: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": f"listFlows{suffix}", "summary": "List the owner's flows (all, or one page).",
            "tags": ["flows"],
            "parameters": [
                _flag("get_all", True, "All flows as a list; false answers one page."), _FOLDER,
                _flag("components_only", False, "Only components (Sluice stores none)."),
                {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
                {"name": "size", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            ],
            "responses": {"200": _json({"oneOf": [{"type": "array", "items": _ref("FlowSummary")}, _PAGE]},
                                       "The flows, or a page of them."),
                          **_errors(400, 401, 404, 503)},
        },
        "post": {
            "operationId": f"createFlow{suffix}", "summary": "Store a Langflow flow export as a new flow.",
            "tags": ["flows"],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("FlowExport"), "example": EXAMPLE_FLOW}}},
            "responses": {"201": {**_json(_ref("FlowSummary"), "The new flow and its first version."),
                                  "links": _FLOW_LINKS},
                          **_errors(400, 401, 409, 413, 503)},
        },
    }


_UPLOAD = {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                 "format": "binary"}},
                                       "required": ["file"]}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
}}
_PROJECT_ID = {"name": "project_id", "in": "path", "required": True, "schema": _UUID}
_PROJECT = {
    "type": "object",
    "properties": {"id": _UUID, "name": {"type": "string"}, "description": {"type": "string"},
                   "parent_id": {"type": "null"}},
    "required": ["id", "name", "description", "parent_id"],
}
_PROJECT_BODY = {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1, "pattern": "\\S"},
                   "description": {"type": ["string", "null"]},
                   "flows_list": {"type": ["array", "null"], "items": _UUID},
                   "components_list": {"type": ["array", "null"], "items": _UUID}},
}
_FILE_ID = {"name": "file_id", "in": "path", "required": True, "schema": _UUID}
_FILE_UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}}
_USER_FILE = {
    "type": "object",
    "properties": {"id": _UUID, "user_id": _UUID, "name": {"type": "string"}, "path": {"type": "string"},
                   "size": {"type": "integer"}, "provider": {"type": "null"}, "created_at": _TIMESTAMP,
                   "updated_at": _TIMESTAMP},
    "required": ["id", "user_id", "name", "path", "size"],
}


def _files_collection(suffix: str) -> dict[str, Any]:
    return {
        "get": {"operationId": f"listFiles{suffix}", "summary": "The files the owner uploaded.", "tags": ["files"],
                "responses": {"200": _json({"type": "array", "items": _USER_FILE}, "The files."),
                              **_errors(401, 503)}},
        "post": {"operationId": f"uploadFile{suffix}",
                 "summary": "Upload a file (at most SLUICE_FILE_MAX_BYTES), kept until deleted.", "tags": ["files"],
                 "requestBody": _FILE_UPLOAD,
                 "responses": {"201": _json({"type": "object", "properties": {
                     "id": _UUID, "name": {"type": "string"}, "path": {"type": "string"}, "size": {"type": "integer"}},
                     "required": ["id", "name", "path", "size"]}, "Stored."), **_errors(400, 401, 413, 503)}},
    }


PROJECT_PATHS: dict[str, Any] = {
    "/api/v1/projects/": {
        "get": {"operationId": "listProjects", "summary": "The owner's projects.", "tags": ["projects"],
                "responses": {"200": _json({"type": "array", "items": _PROJECT}, "The projects."),
                              **_errors(401, 503)}},
        "post": {"operationId": "createProject",
                 "summary": "A new project; the owner's flows in `flows_list` move into it.", "tags": ["projects"],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {**_PROJECT_BODY, "required": ["name"]}}}},
                 "responses": {"201": _json(_PROJECT, "The project."), **_errors(400, 401, 413, 503)}},
    },
    "/api/v1/projects/upload/": {"post": {
        "operationId": "uploadProject",
        "summary": "A new project from a ZIP of flow files or a project JSON (`folder_name`, `flows`); its "
                   "flows are copies.",
        "tags": ["projects"],
        "requestBody": _UPLOAD,
        "responses": {"201": _json({"type": "array", "items": _ref("FlowSummary")}, "The project's flows."),
                      **_errors(400, 401, 409, 413, 503)},
    }},
    "/api/v1/projects/download/{project_id}": {"get": {
        "operationId": "downloadProject", "summary": "The project's flows as a ZIP of flow files.",
        "tags": ["projects"], "parameters": [_PROJECT_ID],
        "responses": {"200": {"description": "The ZIP.", "content": {"application/zip": {
            "schema": {"type": "string", "format": "binary"}}}}, **_errors(*_API)},
    }},
    "/api/v1/projects/{project_id}": {
        "parameters": [_PROJECT_ID],
        "get": {"operationId": "readProject", "summary": "A project with its flows.", "tags": ["projects"],
                "responses": {"200": _json({"allOf": [_PROJECT, {"type": "object", "properties": {
                    "flows": {"type": "array", "items": _ref("FlowSummary")}}, "required": ["flows"]}]},
                    "The project."), **_errors(*_API)}},
        "patch": {"operationId": "updateProject",
                  "summary": "Rename a project or change its description; flows in `flows` move into it.",
                  "tags": ["projects"],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": {
                      "type": "object", "properties": {
                          "name": {"type": ["string", "null"], "minLength": 1, "pattern": "\\S"},
                          "description": {"type": ["string", "null"]},
                          "flows": {"type": ["array", "null"], "items": _UUID},
                          "components": {"type": ["array", "null"], "items": _UUID}}}}}},
                  "responses": {"200": _json(_PROJECT, "The project."), **_errors(400, 401, 404, 413, 503)}},
        "delete": {"operationId": "deleteProject", "summary": "Delete a project and its flows.",
                   "tags": ["projects"],
                   "responses": {"204": {"description": "Deleted."}, **_errors(*_API)}},
    },
}

PATHS: dict[str, Any] = {
    "/health": {"get": {
        "operationId": "health", "summary": "The process is up.", "tags": ["operations"], "security": [],
        "responses": {"200": _json({"type": "object", "properties": {"status": {"const": "ok"}},
                                    "required": ["status"]}, "Up.")},
    }},
    "/health/ready": {"get": {
        "operationId": "ready", "summary": "The database is reachable and its schema is current.",
        "tags": ["operations"], "security": [],
        "responses": {
            "200": _json({"type": "object",
                          "properties": {"status": {"const": "ready"}, "schema_version": {"type": "integer"}},
                          "required": ["status", "schema_version"]}, "Ready."),
            **_errors(503),
        },
    }},
    "/metrics": {"get": {
        "operationId": "metrics", "summary": "Prometheus metrics: jobs, queue, run times, HTTP latency, workers.",
        "tags": ["operations"], "security": [],
        "responses": {"200": {"description": "Prometheus text format.",
                              "content": {"text/plain": {"schema": {"type": "string"}}}},
                      **_errors(503)},
    }},
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document.", "tags": ["operations"], "security": [],
        "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
    }},
    "/api/v1/flows/": _flows_collection(""),
    "/api/v1/flows": _flows_collection("NoSlash"),
    "/api/v1/flows/upload/": {"post": {
        "operationId": "uploadFlows",
        "summary": "Store the flows of a JSON file (one flow, or `{flows: [...]}`) or a ZIP of flow files; "
                   "flows with an `id` are upserted.",
        "tags": ["flows"],
        "parameters": [_FOLDER],
        "requestBody": _UPLOAD,
        "responses": {"201": _json({"type": "array", "items": _ref("FlowSummary")}, "The stored flows."),
                      **_errors(400, 401, 404, 409, 413, 503)},
    }},
    **PROJECT_PATHS,
    "/api/v1/flows/{flow_id}": {
        "parameters": [_FLOW_ID],
        "get": {
            "operationId": "readFlow", "summary": "A flow with its current graph.", "tags": ["flows"],
            "responses": {"200": _json(_ref("Flow"), "The flow."), **_errors(*_API)},
        },
        "put": {
            "operationId": "updateFlow",
            "summary": "Rename a flow, or add a version and make it current; with an unused id, create a flow "
                       "under it (an export).",
            "tags": ["flows"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("FlowUpdate")}}},
            "responses": {"200": _json(_ref("FlowSummary"), "The flow with its current version."),
                          "201": _json(_ref("FlowSummary"), "A new flow under this id."),
                          **_errors(400, 401, 404, 409, 413, 503)},
        },
        "patch": {
            "operationId": "patchFlow", "summary": "Change the fields named; a graph (`data`) becomes a new version.",
            "tags": ["flows"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("FlowUpdate")}}},
            "responses": {"200": _json(_ref("FlowSummary"), "The flow with its current version."),
                          **_errors(400, 401, 404, 409, 413, 503)},
        },
        "delete": {
            "operationId": "deleteFlow", "summary": "Delete a flow and its versions; its jobs stay.",
            "tags": ["flows"],
            "responses": {"200": _json(_ref("FlowDeleted"), "Deleted."), **_errors(*_API)},
        },
    },
    "/api/v1/flows/{flow_id}/versions": {
        "parameters": [_FLOW_ID],
        "get": {
            "operationId": "listFlowVersions", "summary": "Every stored version of a flow, newest first.",
            "tags": ["flows"],
            "responses": {"200": _json({"type": "array", "items": _ref("FlowVersion")}, "The versions."),
                          **_errors(*_API)},
        },
    },
    "/api/v1/run/{flow_id_or_name}": {"post": {
        "operationId": "runFlowV1",
        "summary": "Langflow's v1 run: wait for the flow's result, or (`stream`) stream its events.",
        "tags": ["v1"],
        "parameters": [_FLOW_REF,
                       {"name": "stream", "in": "query", "required": False, "schema": {"type": "boolean"}}],
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": _ref("V1RunRequest"), "example": {"input_value": "Hello, Sluice!"}}}},
        "responses": {
            "200": {"description": "The RunResponse, or the run's events.",
                    "content": {"application/json": {"schema": _ref("RunResponse")}, "text/event-stream": _V1_STREAM}},
            "500": _json(_ref("Error"), "The flow failed, or the run was stopped or timed out (`job_id`)."),
            **_errors(400, 401, 404, 408, 413, 503),
        },
    }},
    "/api/v1/run/advanced/{flow_id_or_name}": {"post": {
        "operationId": "runFlowAdvanced",
        "summary": "Langflow's advanced run: a job per input, one RunResponse with a block per input.",
        "tags": ["v1"],
        "parameters": [_FLOW_REF],
        "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("AdvancedRunRequest")}}},
        "responses": {
            "200": _json(_ref("RunResponse"), "A block per input."),
            "500": _json(_ref("Error"), "A run failed, or was stopped or timed out (`job_id`)."),
            **_errors(400, 401, 404, 408, 413, 503),
        },
    }},
    "/api/v1/webhook/{flow_id_or_name}": {"post": {
        "operationId": "runWebhook",
        "summary": "Queue a run of the flow with the raw body as its Webhook components' `data`.",
        "tags": ["v1"],
        "security": [{"headerKey": []}, {"queryKey": []}, {}],
        "description": "Needs an API key unless the operator turned webhook authentication off "
                       "(SLUICE_WEBHOOK_AUTH_ENABLE=false); then a caller without one names the flow by id.",
        "parameters": [_FLOW_REF],
        "requestBody": {"required": True, "content": {"*/*": {"schema": {},
                                                               "description": "Any payload, as the flow reads it."}}},
        "responses": {
            "202": _json({"type": "object", "properties": {
                "message": {"type": "string"}, "status": {"const": "in progress"}, "job_id": _UUID},
                "required": ["message", "status", "job_id"]}, "Queued."),
            "403": _json(_ref("Error"), "No API key while webhook authentication is on, or an invalid one."),
            **_errors(400, 404, 413, 503),
        },
    }},
    "/api/v2/workflows": {
        "post": {
            "operationId": "runWorkflow",
            "summary": "Run a flow: wait for its result (sync), queue it (`background`), or stream its events "
                       "(`stream`).",
            "tags": ["workflows"],
            "description": "The body is the documented form or Langflow 1.13's, told apart by their own fields; "
                           "a body with fields of both is a 400 (`MIXED_REQUEST_FORMS`).",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"oneOf": [_ref("RunRequest"), _ref("NativeRunRequest")]},
                "examples": {"documented": {"value": EXAMPLE_RUN}, "langflow-1.13": {"value": EXAMPLE_NATIVE_RUN}}}}},
            "responses": {
                "200": {
                    "links": _JOB_LINKS,
                    "description": "Sync: the execution response (a flow that failed is a 200 with status "
                                   "`failed`). Background: the queued job. Stream: its events (1.13 body: in "
                                   "1.13's framing).",
                    "content": {
                        "application/json": {"schema": {"oneOf": [_ref("ExecutionResponse"), _ref("JobQueued")]}},
                        "text/event-stream": {**_EVENT_STREAM,
                                              "schema": {"anyOf": [_ref("ServerEvent"), _ref("LangflowEvent")]}},
                    },
                },
                **_errors(400, 401, 404, 408, 409, 413, 422, 503),
            },
        },
        "get": {
            "operationId": "getWorkflow",
            "summary": "A job's execution response in any status, or (`stream=true`) its event log, replayed "
                       "after `sequence_id` and followed live.",
            "tags": ["workflows"],
            "parameters": [
                {"name": "job_id", "in": "query", "required": True, "schema": _UUID},
                {"name": "stream", "in": "query", "required": False, "schema": {"type": "boolean", "default": False}},
                {"name": "sequence_id", "in": "query", "required": False,
                 "description": "Resume after this event (streams only).",
                 "schema": {"type": "integer", "minimum": 0}},
                {"name": "Last-Event-ID", "in": "header", "required": False,
                 "description": "As `sequence_id`, sent by reconnecting EventSource clients; it wins over "
                                "`sequence_id`.",
                 "schema": {"type": "string", "pattern": "^[0-9]*$"}},
            ],
            "responses": {
                "200": {"description": "The execution response, or the job's events. A job run with the 1.13 "
                                       "body answers as 1.13 does: its job object until it is done, a 500 once "
                                       "it failed, a 408 once it timed out.",
                        "content": {"application/json": {"schema": {"oneOf": [_ref("ExecutionResponse"),
                                                                               _ref("JobQueued")]}},
                                    "text/event-stream": _EVENT_STREAM}},
                **_errors(400, 408, 500, *_API),
            },
        },
    },
    "/api/v2/workflows/pending": {"get": {
        "operationId": "listPendingWorkflows",
        "summary": "The owner's suspended jobs of a flow (Human Input nodes) and the requests they wait on.",
        "tags": ["workflows"],
        "parameters": [{"name": "flow_id", "in": "query", "required": True, "schema": _UUID}],
        "responses": {"200": _json({"type": "array", "items": _ref("PendingRequest")}, "Oldest first."),
                      **_errors(400, *_API)},
    }},
    "/api/v2/workflows/{job_id}/resume": {"post": {
        "operationId": "resumeWorkflow",
        "summary": "Answer a suspended job's request; the job is queued and goes on down the chosen branch.",
        "tags": ["workflows"],
        "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ResumeRequest")}}},
        "responses": {
            "200": _json({"type": "object", "properties": {"job_id": _UUID, "status": {"const": "resuming"},
                                                           "message": {"type": "string"}},
                          "required": ["job_id", "status"]}, "Accepted: the job is queued again."),
            **_errors(400, 401, 404, 409, 413, 422, 503),
        },
    }},
    "/api/v2/workflows/{job_id}/events": {"get": {
        "operationId": "workflowEvents",
        "summary": "A job's events in Langflow 1.13's framing and stream protocol, after `Last-Event-ID`, followed "
                   "live until the job ends.",
        "tags": ["workflows"],
        "parameters": [
            {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "Last-Event-ID", "in": "header", "required": False,
             "description": "Resume after this event.", "schema": {"type": "string", "pattern": "^[0-9]*$"}},
        ],
        "responses": {
            "200": {"description": "The job's events.", "content": {"text/event-stream": {
                "schema": _ref("LangflowEvent")}}},
            **_errors(400, *_API),
        },
    }},
    "/api/v2/workflows/stop": {"post": {
        "operationId": "stopWorkflow",
        "summary": "Cancel a queued or running job; a finished job is left as it is.",
        "tags": ["workflows"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StopRequest")}}},
        "responses": {"200": _json(_ref("StopResponse"), "Cancelled, or already finished."),
                      **_errors(400, 401, 404, 409, 413, 503)},
    }},
    "/api/v2/files/{file_id}": {"parameters": [_FILE_ID], "get": {
        "operationId": "downloadFile", "summary": "The bytes of a file a flow produced, to its owner only.",
        "tags": ["files"],
        "responses": {
            "200": {"description": "The file, with its content type and a Content-Disposition naming it.",
                    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
            **_errors(*_API),
        },
    },
        "delete": {
            "operationId": "deleteFile", "summary": "Delete one of the owner's files.", "tags": ["files"],
            "responses": {"200": _json({"type": "object", "properties": {"detail": {"type": "string"}},
                                        "required": ["detail"]}, "Deleted."), **_errors(*_API)},
        },
    },
    "/api/v2/files": _files_collection(""),
    "/api/v2/files/": _files_collection("Slash"),
    "/api/v1/files/upload/{flow_id}": {"post": {
        "operationId": "uploadFlowFile", "summary": "Upload a file for one of the owner's flows.",
        "tags": ["files"], "parameters": [_FLOW_ID], "requestBody": _FILE_UPLOAD,
        "responses": {"201": _json({"type": "object", "properties": {
            "flowId": _UUID, "file_path": {"type": "string", "description": "`{flow_id}/{file_id}{.ext}`"}},
            "required": ["flowId", "file_path"]}, "Stored."), **_errors(400, 401, 404, 413, 503)},
    }},
}

_KB_NAME = {"name": "kb_name", "in": "path", "required": True, "schema": {"type": "string"}}
_NULLABLE_INT = {"type": ["integer", "null"]}
SCHEMAS["KnowledgeBaseCreate"] = {
    "type": "object", "required": ["name", "embedding_provider", "embedding_model"],
    "properties": {"name": {"type": "string", "minLength": 3, "maxLength": 100, "pattern": "^[^/\\\\]+$"},
                   "embedding_provider": {"type": "string", "minLength": 1},
                   "embedding_model": {"type": "string", "minLength": 1}},
}
SCHEMAS["KnowledgeBase"] = {
    "type": "object",
    "properties": {
        "id": _UUID, "dir_name": {"type": "string"}, "name": {"type": "string"},
        "embedding_provider": {"type": "string"}, "embedding_model": {"type": "string"},
        "size": {"type": "integer"}, "words": {"type": "integer"}, "characters": {"type": "integer"},
        "chunks": {"type": "integer"}, "avg_chunk_size": {"type": "number"}, "chunk_size": _NULLABLE_INT,
        "chunk_overlap": _NULLABLE_INT, "separator": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["empty", "ingesting", "ready", "failed"]},
        "last_job_id": {"type": ["string", "null"]}, "backend_type": {"const": "postgres"},
        "created_at": _TIMESTAMP, "updated_at": _TIMESTAMP,
    },
    "required": ["id", "name", "embedding_provider", "embedding_model", "chunks", "status"],
}
SCHEMAS["KnowledgeChunks"] = {
    "type": "object", "required": ["chunks", "total", "page", "limit", "total_pages"],
    "properties": {
        "chunks": {"type": "array", "items": {"type": "object", "properties": {
            "id": _UUID, "content": {"type": "string"}, "char_count": {"type": "integer"},
            "metadata": {"type": "object"}}}},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "limit": {"type": "integer"},
        "total_pages": {"type": "integer"},
    },
}
RESPONSES["503"]["description"] += " Knowledge bases: the database has no `vector` extension."


def _knowledge_bases_collection(suffix: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": f"listKnowledgeBases{suffix}", "summary": "List the owner's knowledge bases.",
            "tags": ["knowledge bases"],
            "responses": {"200": _json({"type": "array", "items": _ref("KnowledgeBase")}, "The knowledge bases."),
                          **_errors(401, 503)},
        },
        "post": {
            "operationId": f"createKnowledgeBase{suffix}",
            "summary": "Create a knowledge base that embeds its chunks with the given model.",
            "tags": ["knowledge bases"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("KnowledgeBaseCreate")}}},
            "responses": {"201": _json(_ref("KnowledgeBase"), "The new, empty knowledge base."),
                          **_errors(400, 401, 409, 413, 503)},
        },
    }


PATHS.update({
    "/api/v1/knowledge_bases": _knowledge_bases_collection(""),
    "/api/v1/knowledge_bases/": _knowledge_bases_collection("Slash"),
    "/api/v1/knowledge_bases/{kb_name}": {
        "get": {"operationId": "getKnowledgeBase", "summary": "One of the owner's knowledge bases.",
                "tags": ["knowledge bases"], "parameters": [_KB_NAME],
                "responses": {"200": _json(_ref("KnowledgeBase"), "The knowledge base."), **_errors(*_API)}},
        "delete": {"operationId": "deleteKnowledgeBase",
                   "summary": "Delete a knowledge base; its chunks are removed in the background.",
                   "tags": ["knowledge bases"], "parameters": [_KB_NAME],
                   "responses": {"200": _json({"type": "object", "properties": {"message": {"type": "string"}}},
                                              "Deleted."), **_errors(*_API)}},
    },
    "/api/v1/knowledge_bases/{kb_name}/ingest": {"post": {
        "operationId": "ingestKnowledgeBaseFiles",
        "summary": "Queue a job that parses, chunks, embeds and stores the files (PDF, DOCX, CSV, text...).",
        "tags": ["knowledge bases"], "parameters": [_KB_NAME],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["files"],
            "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                           "chunk_size": {"type": "integer", "minimum": 1, "maximum": 20000, "default": 1000},
                           "chunk_overlap": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 200},
                           "separator": {"type": "string", "default": ""}}}}}},
        "responses": {"200": _json({"type": "object", "required": ["id"], "properties": {
            "id": _UUID, "href": {"type": "string"}}}, "The ingestion job, seen like any job (GET "
                                                       "/api/v2/workflows?job_id=)."),
            **_errors(400, 401, 404, 413, 503)},
    }},
    "/api/v1/knowledge_bases/{kb_name}/chunks": {"get": {
        "operationId": "listKnowledgeBaseChunks", "summary": "A page of a knowledge base's chunks.",
        "tags": ["knowledge bases"],
        "parameters": [_KB_NAME,
                       {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                   "maximum": 1000000}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                       {"name": "search", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": _json(_ref("KnowledgeChunks"), "The chunks."), **_errors(400, 401, 404, 503)},
    }},
})

SCHEMAS["MemoryBaseCreate"] = {
    "type": "object", "required": ["name", "flow_id"],
    "properties": {"name": {"type": "string", "minLength": 1, "pattern": "\\S"}, "flow_id": _UUID,
                   "embedding_model": {"type": "string", "minLength": 1},
                   "embedding_provider": {"type": "string"}},
}
SCHEMAS["MemoryBase"] = {
    "type": "object", "required": ["id", "name", "flow_id", "embedding_model", "chunks"],
    "properties": {"id": _UUID, "name": {"type": "string"}, "flow_id": _UUID, "kb_name": {"type": "string"},
                   "embedding_model": {"type": "string"}, "chunks": {"type": "integer"},
                   "backend_type": {"const": "postgres"}, "created_at": _TIMESTAMP},
}
_MEMORY_BASE_ID = {"name": "memory_base_id", "in": "path", "required": True, "schema": _UUID}


def _memories_collection(suffix: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": f"listMemoryBases{suffix}", "summary": "A page of the owner's memory bases.",
            "tags": ["memories"],
            "parameters": [{"name": "flow_id", "in": "query", "schema": _UUID},
                           {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                       "maximum": 1000000}},
                           {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                       "maximum": 100}}],
            "responses": {"200": _json({"type": "object", "required": ["items", "total", "page", "size", "pages"],
                                        "properties": {"items": {"type": "array", "items": _ref("MemoryBase")},
                                                       "total": {"type": "integer"}, "page": {"type": "integer"},
                                                       "size": {"type": "integer"}, "pages": {"type": "integer"}}},
                                       "The memory bases."),
                          **_errors(400, 401, 404, 503)},
        },
        "post": {
            "operationId": f"createMemoryBase{suffix}",
            "summary": "Create a memory base of one of the owner's flows, filled from its chat messages.",
            "tags": ["memories"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("MemoryBaseCreate")}}},
            "responses": {"201": _json(_ref("MemoryBase"), "The new memory base."),
                          **_errors(400, 401, 404, 409, 413, 503)},
        },
    }


PATHS.update({
    "/api/v1/memories": _memories_collection(""),
    "/api/v1/memories/": _memories_collection("Slash"),
    "/api/v1/memories/{memory_base_id}": {
        "get": {"operationId": "getMemoryBase", "summary": "One of the owner's memory bases.", "tags": ["memories"],
                "parameters": [_MEMORY_BASE_ID],
                "responses": {"200": _json(_ref("MemoryBase"), "The memory base."), **_errors(*_API)}},
        "delete": {"operationId": "deleteMemoryBase",
                   "summary": "Delete a memory base; its chunks are removed in the background.",
                   "tags": ["memories"], "parameters": [_MEMORY_BASE_ID],
                   "responses": {"204": {"description": "Deleted."}, **_errors(*_API)}},
    },
})

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Sluice",
        "version": version("sluice"),
        "description": "Langflow flows as durable jobs on PostgreSQL, served through the Langflow Workflow API (v2).",
    },
    "servers": [{"url": "/"}],
    "security": [{"headerKey": []}, {"queryKey": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "securitySchemes": {
            "headerKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            "queryKey": {"type": "apiKey", "in": "query", "name": "x-api-key"},
        },
    },
}

_RENDERED = orjson.dumps(DOCUMENT)


async def document(request: Request) -> Response:
    return Response(_RENDERED, media_type="application/json")
