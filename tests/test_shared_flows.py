"""Every export in ../shared/flows is uploaded and run: it completes, fails cleanly, or is refused at upload.

Nothing may end in a 500 or an `error` job. EXPECTED states the outcome per file; a flow becomes
runnable when the components it needs are installed, and then its entry here changes with them.
"""

from __future__ import annotations

import pytest

import flowkit
from conftest import start_service

COMPLETES = "completes"
FAILS = "fails cleanly"
REFUSED = "refused"
LEGACY = "This flow is in the Langflow 0.x format, which is not supported: re-export it from Langflow 1.x."

# file -> (outcome, what names the reason: the refused nodes, or a text in the failed job's error)
EXPECTED: dict[str, tuple[str, object]] = {
    "langflow-starters/Basic_Prompting.json": (COMPLETES, None),
    "langflow-starters/Blog_Writer.json": (COMPLETES, None),
    # Knowledge bases (vector search) are not provided.
    "langflow-starters/Document_Q&A.json": (REFUSED, {"KnowledgeRetrieve-docqa"}),
    # File loading is not provided.
    "langflow-starters/Financial_Report_Parser.json": (REFUSED, {"File-NGW2N"}),
    "langflow-starters/Knowledge_Retrieval.json": (REFUSED, {"Knowledge-Y8gm2"}),
    # MemoryBase is a vector-backed long-term memory: not provided.
    "langflow-starters/Memory_Chatbot.json": (REFUSED, {"MemoryBase-xePih"}),
    "langflow-starters/Simple_Agent.json": (COMPLETES, None),
    "langflow-starters/Vector_Store_RAG.json": (REFUSED, {"Knowledge-vLJOb"}),
    "langflow-tests/ChatInputTest.json": (REFUSED, LEGACY),
    # MyZipper and CustomComponent are custom code (test_engine_graph runs the rest with stand-ins for them).
    "langflow-tests/LoopTest.json": (REFUSED, {"MyZipper-xVGrn", "CustomComponent-y0t72"}),
    "langflow-tests/MemoryChatbotNoLLM.json": (COMPLETES, None),
    "langflow-tests/SimpleAPITest.json": (COMPLETES, None),
    "langflow-tests/TwoOutputsTest.json": (REFUSED, LEGACY),
    # Both CustomComponent nodes are custom code.
    "langflow-tests/WebhookTest.json": (REFUSED, {"CustomComponent-5ADNr", "CustomComponent-ErhNJ"}),
    "langflow-tests/basic_example.json": (REFUSED, LEGACY),
    "langflow-tests/chat_echo_no_llm.json": (COMPLETES, None),
    # Secret is a custom-code component.
    "langflow-tests/env_variable_test.json": (REFUSED, {"Secret-zIbKs"}),
}

FILES = sorted(str(path.relative_to(flowkit.SHARED_FLOWS)) for path in flowkit.SHARED_FLOWS.rglob("*.json"))


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, fake_openai.env()) as started:
        yield started


def test_every_shared_flow_has_an_expected_outcome():
    assert set(FILES) == set(EXPECTED)


def chat_inputs(export: dict) -> dict[str, str]:
    graph = export.get("data", export)
    return {f"{node['data']['id']}.input_value": "Hello from the shared flows test"
            for node in graph["nodes"] if node.get("data", {}).get("type") == "ChatInput"
            and "outputs" in node["data"].get("node", {})}


@pytest.mark.parametrize("name", FILES)
async def test_shared_flow(service, client, name):
    outcome, reason = EXPECTED[name]
    export = flowkit.shared(name)
    upload = await client.post("/api/v1/flows/", json=export)
    assert upload.status_code < 500, upload.text
    if outcome == REFUSED:
        assert upload.status_code == 400, upload.text
        problem = upload.json()
        assert problem["code"] == "INVALID_FLOW"
        if isinstance(reason, str):
            assert problem["detail"] == reason
        else:
            assert set(problem["node_ids"].split(",")) == reason
            assert all(node_id in problem["detail"] for node_id in reason)
        return
    assert upload.status_code == 201, upload.text
    response = await client.post("/api/v2/workflows", json={"flow_id": upload.json()["id"],
                                                            "inputs": chat_inputs(export)})
    assert response.status_code == 200, response.text
    body = response.json()
    if outcome == COMPLETES:
        assert body["status"] == "completed", body["errors"]
        assert body["outputs"]
        assert all(output["status"] == "completed" for output in body["outputs"].values())
    else:
        assert body["status"] == "failed"
        assert reason in body["errors"][0]["error"]
