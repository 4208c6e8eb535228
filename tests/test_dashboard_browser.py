"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright): sign in, run a
flow from its form, watch the job live, stop a slow job, and check the overview against the database.
Screenshots land in docs/screenshots/ for the README."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

import flowkit
from conftest import REPOSITORY, start_service

# `make test` finds or installs one (tests/chromium.sh) and names it here.
CHROMIUM = os.environ.get("SLUICE_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
async def service(cluster):
    async with start_service(cluster, {"SLUICE_SECRET_KEY": "browser-test-secret-key"}) as started:
        yield started


@pytest.fixture
async def page():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(viewport={"width": 1100, "height": 800})
        yield await context.new_page()
        await browser.close()


async def sign_in(page, service, key: str) -> None:
    await page.goto(f"{service.base_url}/ui/signin")
    await page.fill("#api_key", key)
    await page.click("button[type=submit]")
    await expect(page.locator("h1")).to_have_text("Overview")


def shot(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(Path(SCREENSHOTS / name))


async def test_run_a_flow_from_its_form_and_watch_it_complete(service, page):
    _, key = await service.key()
    async with service.client(key) as api:
        await service.flow(api, flowkit.sleep_flow(1.5, name="Slow echo"))
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/flows")
    text = f"hello from the browser {uuid.uuid4().hex[:6]}"
    await page.fill("textarea[name='input:ChatInput-in']", text)
    await page.click("form.run button[type=submit]")
    await expect(page.locator("#events li").first).to_be_visible()
    await page.screenshot(path=shot("job-running.png"), full_page=True)
    await expect(page.locator("#status")).to_have_text("completed", timeout=15_000)
    await expect(page.locator("section.output .message")).to_have_text(text)
    events = await page.locator("#events li").evaluate_all(
        "items => items.map(i => [Number(i.dataset.seq), i.dataset.type, i.textContent])")
    assert [seq for seq, _, _ in events] == list(range(1, len(events) + 1))
    order = [label.split(" ", 1)[1] for _, _, label in events if "start" in label or label.split(" ")[1] == "end"]
    assert order.index("start Sleep-1") < order.index("end Sleep-1") < order.index("start ChatOutput-out")
    assert events[-1][1] == "end"
    await page.screenshot(path=shot("job-completed.png"), full_page=True)


async def test_stop_a_slow_job_from_its_page(service, page):
    _, key = await service.key()
    async with service.client(key) as api:
        flow = await service.flow(api, flowkit.sleep_flow(60))
        submitted = await api.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
        job_id = submitted.json()["job_id"]
    await sign_in(page, service, key)
    await page.goto(f"{service.base_url}/ui/jobs/{job_id}")
    await expect(page.locator("#status")).to_have_text("in_progress", timeout=10_000)
    await page.click("#stop")
    await expect(page.locator("#status")).to_have_text("cancelled", timeout=10_000)
    status = await service.pool.fetchval("select status from jobs where id = $1", uuid.UUID(job_id))
    assert status == "cancelled"


async def test_another_owners_job_is_not_found(service, page):
    _, owner_key = await service.key()
    _, other_key = await service.key()
    async with service.client(owner_key) as api:
        flow = await service.flow(api, flowkit.echo_flow())
        job_id = (await api.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()["job_id"]
    await sign_in(page, service, other_key)
    response = await page.goto(f"{service.base_url}/ui/jobs/{job_id}")
    assert response.status == 404
    await expect(page.locator("h1")).to_have_text("Not found")


async def test_overview_counts_match_the_database(service, page):
    owner, key = await service.key()
    async with service.client(key) as api:
        echo = await service.flow(api, flowkit.echo_flow())
        slow = await service.flow(api, flowkit.sleep_flow(60))
        for _ in range(3):
            await api.post("/api/v2/workflows", json={"flow_id": echo["id"]})
        running = (await api.post("/api/v2/workflows", json={"flow_id": slow["id"], "background": True})).json()
        await api.post("/api/v2/workflows/stop", json={"job_id": running["job_id"]})
        await api.post("/api/v2/workflows", json={"flow_id": slow["id"], "background": True})
    await sign_in(page, service, key)
    expected = {row["status"]: row["count"] for row in await service.pool.fetch(
        "select status, count(*) from jobs where owner = $1 group by status", owner)}
    shown = {await tile.get_attribute("data-status"): int(await tile.locator(".count").inner_text())
             for tile in await page.locator("#counts .tile").all()}
    assert {status: count for status, count in shown.items() if count} == expected
    assert expected["completed"] == 3 and expected["cancelled"] == 1
    await page.screenshot(path=shot("overview.png"), full_page=True)
