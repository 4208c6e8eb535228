"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright): sign in, run a
flow from its form, watch a job's graph and timeline follow a run with a router, a loop and a
streaming model, read the overview's charts, flows, versions and workers, stop a slow job.

Screenshots (1280x800) land in .screenshots/, which git ignores; `make screenshots` copies the
README's into docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from playwright.async_api import async_playwright, expect

import fake_openai as fake
import flowkit
from conftest import REPOSITORY, start_service
from jobwait import wait_for_status

# `make test` finds or installs one (tests/chromium.sh) and names it here.
CHROMIUM = os.environ.get("SLUICE_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPOSITORY / ".screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER = "Tokens arrive one word at a time while the model node is running"


@pytest.fixture(scope="module")
async def service(cluster, fake_openai):
    async with start_service(cluster, {"SLUICE_SECRET_KEY": "browser-test-secret-key", **fake_openai.env()}) as started:
        yield started


@pytest.fixture
async def page():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        yield await context.new_page()
        await browser.close()


async def sign_in(page, service, key: str) -> None:
    await page.goto(f"{service.base_url}/ui/signin")
    await page.fill("#api_key", key)
    await page.click("button[type=submit]")
    await expect(page.locator("h1")).to_have_text("Overview")


async def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / name))


def placed(node: dict[str, Any], x: float, y: float) -> dict[str, Any]:
    return {**node, "position": {"x": x, "y": y}}


def showcase_flow(name: str = "Router, loop and model") -> dict[str, Any]:
    """Chat text goes two ways at once. A router sends text with a comma to a streaming model (its
    other branch is skipped); a loop turns each comma-separated piece into `item <piece>`."""
    node, edge = flowkit.node, flowkit.edge
    return flowkit.export(name, [
        placed(node("ChatInput-in", "ChatInput", {"input_value": "", "session_id": ""}, display_name="Chat Input"),
               0, 260),
        placed(node("ConditionalRouter-r", "ConditionalRouter",
                    {"input_text": "", "match_text": ",", "operator": "contains",
                     "case_sensitive": flowkit.field(False, "bool"), "message": flowkit.field("", "other")},
                    outputs=("true_result", "false_result"), display_name="If-Else"), 440, 60),
        placed(node("LanguageModelComponent-m", "LanguageModelComponent",
                    {"input_value": "", "system_message": "", "stream": flowkit.field(True, "bool")},
                    outputs=("text_output", "model_output"), display_name="Language Model"), 880, 0),
        placed(node("ChatOutput-answer", "ChatOutput", {"input_value": ""}, display_name="Answer"), 1320, 0),
        placed(node("CombineText-c", "CombineText", {"text1": "", "text2": "(no comma)", "delimiter": " "},
                    outputs=("combined_text",), display_name="Combine Text"), 880, 190),
        placed(node("ChatOutput-no", "ChatOutput", {"input_value": ""}, display_name="No comma"), 1320, 190),
        placed(node("SplitText-s", "SplitText", {"data_inputs": "", "separator": ",",
                                                 "chunk_size": flowkit.field(1, "int"),
                                                 "chunk_overlap": flowkit.field(0, "int"), "text_key": "text"},
                    outputs=("dataframe",), display_name="Split Text"), 440, 420),
        placed(flowkit.loop_node(), 880, 420),
        placed(node("ParseData-p", "ParseData", {"data": "", "template": "item {text}", "sep": "\n"},
                    outputs=("text", "data_list"), display_name="Parse Data"), 1320, 360),
        placed(node("MessagetoData-m", "MessagetoData", {"message": ""}, outputs=("data",),
                    display_name="Message to Data"), 1760, 360),
        placed(node("ParserComponent-j", "ParserComponent", {"input_data": "", "mode": "Parser",
                                                             "pattern": "{text}", "sep": " | "},
                    outputs=("parsed_text",), display_name="Parser"), 1320, 620),
        placed(node("ChatOutput-items", "ChatOutput", {"input_value": ""}, display_name="Items"), 1760, 620),
    ], [
        edge("ChatInput-in", "message", "ConditionalRouter-r", "input_text"),
        edge("ConditionalRouter-r", "true_result", "LanguageModelComponent-m", "input_value"),
        edge("LanguageModelComponent-m", "text_output", "ChatOutput-answer", "input_value"),
        edge("ConditionalRouter-r", "false_result", "CombineText-c", "text1"),
        edge("CombineText-c", "combined_text", "ChatOutput-no", "input_value"),
        edge("ChatInput-in", "message", "SplitText-s", "data_inputs"),
        edge("SplitText-s", "dataframe", "LoopComponent-L", "data"),
        edge("LoopComponent-L", "item", "ParseData-p", "data"),
        edge("ParseData-p", "text", "MessagetoData-m", "message"),
        flowkit.loop_back("MessagetoData-m", "data", "LoopComponent-L"),
        edge("LoopComponent-L", "done", "ParserComponent-j", "input_data"),
        edge("ParserComponent-j", "parsed_text", "ChatOutput-items", "input_value"),
    ])


async def node_states(page) -> dict[str, tuple[str, int]]:
    return {node_id: (state, int(runs)) for node_id, state, runs in await page.locator("#live g.node").evaluate_all(
        "nodes => nodes.map(n => [n.dataset.node, n.dataset.state, n.dataset.runs])")}


async def component_starts(service, job_id: str) -> Counter[str]:
    rows = await service.pool.fetch("select data from job_events where job_id = $1 and type = 'component_start'",
                                    uuid.UUID(job_id))
    return Counter(row["data"]["component_id"] for row in rows)


async def test_graph_and_timeline_follow_a_run_with_a_router_a_loop_and_a_streaming_model(service, page,
                                                                                          fake_openai):
    _, key = await service.key()
    question = f"red,green,blue {uuid.uuid4().hex[:6]}"
    fake_openai.script(question, fake.text(ANSWER, chunk_delay=0.4))
    async with service.client(key) as api:
        flow = await service.flow(api, showcase_flow())
        submitted = await api.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "background": True, "inputs": {"ChatInput-in.input_value": question}})
        job_id = submitted.json()["job_id"]
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/jobs/{job_id}")

    # Nodes sit at their exported positions, joined by one curve per edge.
    model = page.locator('#live g.node[data-node="LanguageModelComponent-m"]')
    assert (await model.locator("rect").get_attribute("x"), await model.locator("rect").get_attribute("y")) == \
        ("880.0", "0.0")
    assert await page.locator("#live path.wire").count() == 12
    assert await page.locator("#live path.wire.loop-back").count() == 1

    # While the model streams: its tokens show in its output, the page having been updated from the
    # event stream (the job was queued or just started when the page was drawn).
    await page.wait_for_function(
        """() => {
          const node = document.querySelector('#live g.node[data-node="LanguageModelComponent-m"]');
          const stream = document.querySelector('#live pre[data-stream="LanguageModelComponent-m"]');
          return node.dataset.state === 'running' && stream.textContent.startsWith('Tokens arrive')
                 && !stream.textContent.includes('running');
        }""", timeout=15_000)
    running = await node_states(page)
    assert running["ChatInput-in"] == ("completed", 1)
    assert running["ConditionalRouter-r"] == ("completed", 1)
    assert running["LanguageModelComponent-m"] == ("running", 1)
    assert running["ChatOutput-answer"][0] == "waiting"
    assert running["CombineText-c"][0] == running["ChatOutput-no"][0] == "skipped"
    assert running["ParseData-p"] == running["MessagetoData-m"] == ("looped", 3)
    assert await page.locator('#live g.node[data-node="ParseData-p"] text.state').text_content() == "↻ looped 3 times"
    assert await page.locator('#live g.node[data-node="CombineText-c"] text.state').text_content() == "↷ skipped"
    # Select the model node with the keyboard: its details (and the streamed text) open.
    await page.focus('#live a.node-link[data-node="LanguageModelComponent-m"]')
    await page.keyboard.press("Enter")
    await expect(page.locator("#node-LanguageModelComponent-m")).to_be_visible()
    await expect(page.locator("#node-LanguageModelComponent-m pre.stream")).to_contain_text("Tokens arrive")
    await expect(page.locator("#node-LanguageModelComponent-m .inputs")).to_contain_text(question)
    await page.evaluate("document.getElementById('graph-title').scrollIntoView()")
    await shot(page, "job-running.png")

    await expect(page.locator("#status")).to_have_text("completed", timeout=20_000)
    after = await node_states(page)
    assert after["LanguageModelComponent-m"] == after["ChatOutput-answer"] == ("completed", 1)
    assert after["CombineText-c"][0] == after["ChatOutput-no"][0] == "skipped"
    assert after["LoopComponent-L"] == ("completed", 1)
    assert after["ChatOutput-items"] == ("completed", 1)
    # The selection survives the reload at the end; the model's output is its whole answer.
    await expect(page.locator("#node-LanguageModelComponent-m .output .message")).to_have_text(ANSWER)

    # The timeline: one bar per component run, each labelled, and the wait before the claim.
    starts = await component_starts(service, job_id)
    assert sum(starts.values()) == 14 and starts["ParseData-p"] == 3
    bars = Counter(await page.locator("#live g.span[data-kind=component]").evaluate_all(
        "spans => spans.map(s => s.dataset.component)"))
    assert bars == starts
    assert await page.locator("#live g.span[data-kind=queued]").count() == 1
    assert await page.locator("#live g.span[data-kind=attempt]").count() == 1
    await page.evaluate("document.getElementById('timeline-title').scrollIntoView()")
    await shot(page, "job-timeline.png")
    await page.goto(f"{service.base_url}/ui/jobs/{job_id}?node=ParseData-p")
    await expect(page.locator("#node-ParseData-p .timings tr")).to_have_count(4)
    await page.evaluate("document.getElementById('graph-title').scrollIntoView()")
    await shot(page, "job-completed.png")


async def test_the_graph_works_without_javascript(service, fake_openai):
    _, key = await service.key()
    question = f"one,two {uuid.uuid4().hex[:6]}"
    async with service.client(key) as api:
        flow = await service.flow(api, showcase_flow())
        done = (await api.post("/api/v2/workflows", json={
            "flow_id": flow["id"], "inputs": {"ChatInput-in.input_value": question}})).json()
    assert done["status"] == "completed"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        await sign_in(page, service, key)
        await page.goto(f"{service.base_url}/ui/jobs/{done['job_id']}")
        await page.click('#live a.node-link[data-node="ParserComponent-j"]')
        await expect(page.locator("#node-ParserComponent-j")).to_be_visible()
        await expect(page.locator("#node-ParserComponent-j .output .message")).to_have_text(
            f"item one | item two {question.split()[1]}")
        assert dict(await node_states(page))["ParseData-p"] == ("looped", 2)
        await browser.close()


async def test_run_a_flow_from_its_form_and_watch_it_complete(service, page):
    _, key = await service.key()
    async with service.client(key) as api:
        await service.flow(api, flowkit.sleep_flow(1.5, name="Slow echo"))
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/flows")
    text = f"hello from the browser {uuid.uuid4().hex[:6]}"
    await page.fill("textarea[name='input:ChatInput-in']", text)
    await page.click("form.run button[type=submit]")
    await expect(page.locator('#live g.node[data-node="Sleep-1"]')).to_have_attribute("data-state", "running")
    await expect(page.locator("#status")).to_have_text("completed", timeout=15_000)
    await expect(page.locator("section.output .message").first).to_have_text(text)
    events = await page.locator("#events li").evaluate_all(
        "items => items.map(i => [Number(i.dataset.seq), i.dataset.type, i.textContent])")
    assert [seq for seq, _, _ in events] == list(range(1, len(events) + 1))
    order = [label.split(" ", 1)[1] for _, _, label in events if "start" in label or label.split(" ")[1] == "end"]
    assert order.index("start Sleep-1") < order.index("end Sleep-1") < order.index("start ChatOutput-out")
    assert events[-1][1] == "end"


async def test_stop_a_slow_job_from_its_page(service, page):
    _, key = await service.key()
    async with service.client(key) as api:
        flow = await service.flow(api, flowkit.sleep_flow(60))
        submitted = await api.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
        job_id = submitted.json()["job_id"]
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/jobs/{job_id}")
    await expect(page.locator("#status")).to_have_text("in_progress", timeout=10_000)
    await expect(page.locator('#live g.node[data-node="Sleep-1"]')).to_have_attribute("data-state", "running")
    await page.click("#stop")
    await expect(page.locator("#status")).to_have_text("cancelled", timeout=10_000)
    status = await service.pool.fetchval("select status from jobs where id = $1", uuid.UUID(job_id))
    assert status == "cancelled"
    assert (await node_states(page))["Sleep-1"][0] == "stopped"


async def test_another_owners_job_is_not_found(service, page):
    _, owner_key = await service.key()
    _, other_key = await service.key()
    async with service.client(owner_key) as api:
        flow = await service.flow(api, flowkit.sleep_flow(0))
        job_id = (await api.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()["job_id"]
    await sign_in(page, service, other_key)
    for path in (f"/ui/jobs/{job_id}", f"/ui/jobs/{job_id}/live", f"/ui/flows/{flow['id']}/versions/{flow['version']}"):
        response = await page.goto(f"{service.base_url}{path}")
        assert response.status == 404
        await expect(page.locator("h1")).to_have_text("Not found")


def failing_flow(name: str) -> dict[str, Any]:
    return flowkit.export(name, [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": "x"}),
        flowkit.node("Fail-b", "SluiceTestFail", {"message": "no luck", "input_value": ""}, outputs=("text",)),
    ], [flowkit.edge("ChatInput-a", "message", "Fail-b", "input_value")])


async def test_overview_charts_have_a_point_for_every_job_run(service, page):
    owner, key = await service.key()
    async with service.client(key) as api:
        quick = await service.flow(api, flowkit.sleep_flow(0.2, name="Quick"))
        failing = await service.flow(api, failing_flow("Unlucky"))
        slow = await service.flow(api, flowkit.sleep_flow(60, name="Slow"))
        for _ in range(4):
            await api.post("/api/v2/workflows", json={"flow_id": quick["id"]})
        for _ in range(2):
            await api.post("/api/v2/workflows", json={"flow_id": failing["id"]})
        running = (await api.post("/api/v2/workflows", json={"flow_id": slow["id"], "background": True})).json()
        await api.post("/api/v2/workflows/stop", json={"job_id": running["job_id"]})
        waiting = (await api.post("/api/v2/workflows", json={"flow_id": slow["id"], "background": True})).json()
        await wait_for_status(api, waiting["job_id"], "in_progress")
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/?window=15m")
    since = datetime.now(UTC) - timedelta(minutes=15)
    finished = {row["status"]: row["count"] for row in await service.pool.fetch(
        "select status, count(*) from jobs where owner = $1 and finished_at > $2 group by status", owner, since)}
    assert finished == {"completed": 4, "failed": 2, "cancelled": 1}

    # Tiles: running and queued now, the others finished in the window.
    shown = {await tile.get_attribute("data-status"): int(await tile.locator(".count").inner_text())
             for tile in await page.locator("#counts .tile").all()}
    assert {status: count for status, count in shown.items() if count} == finished | {"in_progress": 1}

    # Finished per minute: the bars' values (jobs per one-minute bucket) add up to the jobs run, by status.
    bars = await page.locator("#finished-chart rect.bar").evaluate_all(
        "bars => bars.map(b => [b.dataset.key, Number(b.dataset.value)])")
    by_status: Counter[str] = Counter()
    for status, value in bars:
        by_status[status] += value
    assert dict(by_status) == finished
    # Wait and run time: a point per series in each bucket where jobs finished.
    buckets = len({bar for bar in await page.locator("#finished-chart rect.bar").evaluate_all(
        "bars => bars.map(b => b.getAttribute('x'))")})
    for series in ("wait-p50", "wait-p95", "run-p50", "run-p95"):
        assert await page.locator(f"#latency-chart g.key-{series} circle.point").count() == buckets
    run_p95 = await page.locator("#latency-chart g.key-run-p95 circle.point").evaluate_all(
        "points => points.map(p => Number(p.dataset.value))")
    assert max(run_p95) >= 0.2  # the quick flow sleeps 0.2 s
    # Queue depth: one point per minute of the window; each job waited in the queue a moment.
    depth = await page.locator("#depth-chart g.series circle.point").evaluate_all(
        "points => points.map(p => Number(p.dataset.value))")
    assert len(depth) == 15 and max(depth) >= 1 and min(depth) == 0
    # Failure rate by flow.
    unlucky = page.locator(f'#failure-chart tr[data-flow="{failing["id"]}"]')
    assert (await unlucky.get_attribute("data-finished"), await unlucky.get_attribute("data-failed")) == ("2", "2")
    await expect(unlucky).to_contain_text("100 %")
    quick_row = page.locator(f'#failure-chart tr[data-flow="{quick["id"]}"]')
    await expect(quick_row).to_contain_text("0 %")
    await shot(page, "overview.png")

    await page.goto(f"{service.base_url}/ui/workers?window=15m")
    rows = await page.locator("#workers tr[data-worker]").evaluate_all(
        "rows => rows.map(r => [r.dataset.worker, r.dataset.stopping, r.cells[3].textContent, r.cells[5].textContent])")
    expected = {row["worker_id"]: (row["running"], row["finished"]) for row in await service.pool.fetch(
        "select worker_id, count(*) filter (where status = 'in_progress') as running, "
        "count(*) filter (where finished_at is not null) as finished from jobs "
        "where owner = $1 and worker_id is not null group by worker_id", owner)}
    assert {worker: (int(running), int(done)) for worker, _, running, done in rows} == expected
    assert all(stopping == "no" for _, stopping, _, _ in rows)
    await shot(page, "workers.png")


async def test_flows_page_draws_each_flow_and_a_version_shows_what_changed(service, page):
    _, key = await service.key()
    first = showcase_flow("Versioned")
    second = orjson.loads(orjson.dumps(first))
    nodes = second["data"]["nodes"]
    nodes[:] = [n for n in nodes if n["id"] != "ChatOutput-no"]
    second["data"]["edges"] = [e for e in second["data"]["edges"] if e["target"] != "ChatOutput-no"]
    router = next(n for n in nodes if n["id"] == "ConditionalRouter-r")
    router["data"]["node"]["template"]["match_text"]["value"] = ";"
    nodes.append(placed(flowkit.node("TextOutput-t", "TextOutput", {"input_value": ""}, display_name="Text Output"),
                        1320, 190))
    second["data"]["edges"].append(flowkit.edge("CombineText-c", "combined_text", "TextOutput-t", "input_value"))
    async with service.client(key) as api:
        flow = await service.flow(api, first)
        updated = await api.put(f"/api/v1/flows/{flow['id']}", json=second)
        assert updated.status_code == 200, updated.text
        newest = updated.json()["version"]
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/flows")
    card = page.locator(f'section.flow[data-flow="{flow["id"]}"]')
    assert await card.locator("svg.thumbnail g.node").count() == 12
    await shot(page, "flows.png")
    await card.locator("a.thumb-link").click()
    await expect(page.locator("h1")).to_contain_text(newest)
    assert await page.locator("#nodes-added li").evaluate_all("items => items.map(i => i.dataset.node)") == \
        ["TextOutput-t"]
    assert await page.locator("#nodes-removed li").evaluate_all("items => items.map(i => i.dataset.node)") == \
        ["ChatOutput-no"]
    changed = await page.locator("#fields-changed tr[data-node]").evaluate_all(
        "rows => rows.map(r => [r.dataset.node, r.dataset.field, r.cells[2].textContent.trim(),"
        " r.cells[3].textContent.trim()])")
    assert changed == [["ConditionalRouter-r", "match_text", '","', '";"']]
    await expect(page.locator('svg.graph g.node[data-node="TextOutput-t"]')).to_have_class("node mark-added")
    await shot(page, "flow-version.png")
    await page.goto(f"{service.base_url}/ui/flows/{flow['id']}/versions/{flow['version']}")
    await expect(page.locator("#changes")).to_contain_text("first version")
