"""The dashboard over plain HTTP: sign-in cookie flags, CSRF refusal, sign-out, owners kept apart."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

import flowkit
from conftest import start_service
from jobwait import logged_statuses, wait_until

SECRET = "dashboard-test-secret-key"


@pytest.fixture(scope="module")
async def service(cluster):
    async with start_service(cluster, {"SLUICE_SECRET_KEY": SECRET}) as started:
        yield started


@contextlib.asynccontextmanager
async def sign_in(service, key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as browser:
        response = await browser.post("/ui/signin", data={"api_key": key})
        assert response.status_code == 303 and response.headers["location"] == "/ui/"
        yield browser


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


async def test_session_cookie_is_http_only_strict_and_holds_no_key(service):
    _, key = await service.key()
    async with httpx.AsyncClient(base_url=service.base_url) as browser:
        response = await browser.post("/ui/signin", data={"api_key": key})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert key not in cookie


async def test_wrong_key_and_no_session_are_refused(service):
    async with httpx.AsyncClient(base_url=service.base_url) as browser:
        assert (await browser.post("/ui/signin", data={"api_key": "sk-nope"})).status_code == 401
        response = await browser.get("/ui/jobs")
        assert response.status_code == 303 and response.headers["location"] == "/ui/signin"
        browser.cookies.set("sluice_session", "forged.value", path="/ui")
        assert (await browser.get("/ui/")).status_code == 303


async def test_actions_without_the_csrf_token_are_refused(service):
    _, key = await service.key()
    async with service.client(key) as api:
        flow = await service.flow(api, flowkit.sleep_flow(30))
        submitted = await api.post("/api/v2/workflows", json={"flow_id": flow["id"], "background": True})
        job_id = submitted.json()["job_id"]
    async with sign_in(service, key) as browser:
        refused = await browser.post(f"/ui/jobs/{job_id}/stop", data={"csrf": "0" * 64})
        assert refused.status_code == 403
        page = (await browser.get(f"/ui/jobs/{job_id}")).text
        stopped = await browser.post(f"/ui/jobs/{job_id}/stop", data={"csrf": csrf(page)})
        assert stopped.status_code == 303
    async with service.client(key) as api:
        assert (await api.get("/api/v2/workflows", params={"job_id": job_id})).json()["status"] == "cancelled"


async def test_another_owners_job_is_404_and_sign_out_ends_the_session(service):
    _, first_key = await service.key()
    _, second_key = await service.key()
    async with service.client(first_key) as api:
        flow = await service.flow(api, flowkit.echo_flow())
        job_id = (await api.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()["job_id"]
    async with sign_in(service, second_key) as browser:
        assert (await browser.get(f"/ui/jobs/{job_id}")).status_code == 404
        assert (await browser.get(f"/ui/jobs/{job_id}/events")).status_code == 404
        page = (await browser.get("/ui/")).text
        signed_out = await browser.post("/ui/signout", data={"csrf": csrf(page)})
        assert signed_out.status_code == 303
        assert (await browser.get("/ui/")).status_code == 303
    async with sign_in(service, first_key) as owner_browser:
        page = await owner_browser.get(f"/ui/jobs/{job_id}")
        assert page.status_code == 200 and "completed" in page.text


async def test_a_revoked_key_ends_its_dashboard_session(service):
    from sluice.store import keys

    _, key = await service.key()
    async with sign_in(service, key) as browser:
        assert (await browser.get("/ui/")).status_code == 200
        key_id = await service.pool.fetchval("select id from api_keys where key_hash = $1", keys.key_hash(key))
        await keys.revoke(service.pool, key_id)
        # The API process drops the key when the revocation's NOTIFY reaches it; the session ends then.
        async def signed_out() -> bool:
            return (await browser.get("/ui/")).status_code == 303

        await wait_until(signed_out, "the revoked key's dashboard session ends")


async def test_retry_a_failed_job_runs_it_again_and_only_for_its_owner(service):
    _, key = await service.key()
    _, stranger_key = await service.key()
    export = flowkit.export("Failing", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": "x"}),
        flowkit.node("Fail-b", "SluiceTestFail", {"message": "no luck", "input_value": ""}, outputs=("text",)),
    ], [flowkit.edge("ChatInput-a", "message", "Fail-b", "input_value")])
    async with service.client(key) as api:
        flow = await service.flow(api, export)
        failed = (await api.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    assert failed["status"] == "failed"
    job_id = failed["job_id"]
    async with sign_in(service, stranger_key) as stranger:
        page = (await stranger.get("/ui/")).text
        refused = await stranger.post(f"/ui/jobs/{job_id}/retry", data={"csrf": csrf(page)})
        assert refused.status_code == 409 and "cannot be retried" in refused.text
    assert await service.pool.fetchval("select attempt from jobs where id = $1::uuid", job_id) == 1
    async with sign_in(service, key) as browser:
        page = (await browser.get(f"/ui/jobs/{job_id}")).text
        assert 'id="retry"' in page
        assert (await browser.post(f"/ui/jobs/{job_id}/retry", data={"csrf": csrf(page)})).status_code == 303
    for _ in range(100):
        row = await service.pool.fetchrow("select status, attempt from jobs where id = $1::uuid", job_id)
        if row["attempt"] == 2 and row["status"] == "failed":
            break
        await asyncio.sleep(0.05)
    assert (row["status"], row["attempt"]) == ("failed", 2)
    # The retry stored the first claim (its row then told only the second), so both attempts are logged.
    claims = [event["attempt"] for event in await logged_statuses(service.pool, job_id)
              if event["status"] == "in_progress"]
    assert claims == [1, 2]
    async with sign_in(service, key) as browser:
        live = (await browser.get(f"/ui/jobs/{job_id}/live")).text
    # The timeline shows each attempt and the wait before it; the failed node is marked failed.
    assert live.count('data-kind="attempt"') == 2 and live.count('data-kind="queued"') == 2
    assert 'data-outcome="back to the queue (retry)"' not in live  # the first attempt ended failed
    assert live.count('data-outcome="failed"') >= 2
    assert re.search(r'data-node="Fail-b" data-state="failed"', live)


async def test_hostile_names_in_a_flow_are_shown_as_text_on_every_page(service):
    _, key = await service.key()
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    export = flowkit.export(f"Flow {evil}", [
        flowkit.node("ChatInput-a", "ChatInput", {"input_value": evil}, display_name=evil),
        flowkit.node(f"ChatOutput-{evil}", "ChatOutput", {"input_value": ""}, display_name=evil),
    ], [flowkit.edge("ChatInput-a", "message", f"ChatOutput-{evil}", "input_value")])
    async with service.client(key) as api:
        flow = await service.flow(api, export)
        job = (await api.post("/api/v2/workflows", json={"flow_id": flow["id"]})).json()
    assert job["status"] == "completed"
    async with sign_in(service, key) as browser:
        for path in (f"/ui/jobs/{job['job_id']}", f"/ui/jobs/{job['job_id']}/live", "/ui/flows",
                     f"/ui/flows/{flow['id']}/versions/{flow['version']}", "/ui/?window=15m"):
            page = await browser.get(path)
            assert page.status_code == 200, path
            assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        selected = await browser.get(f"/ui/jobs/{job['job_id']}", params={"node": f"ChatOutput-{evil}"})
        assert "<script>alert" not in selected.text
        assert re.search(r'<section class="card node-details" id="node-ChatOutput-[^"]*" data-node="[^"]*">',
                         selected.text)


def aged_cookie(data: dict, age: float) -> str:
    """A session cookie as the dashboard signs it, but signed `age` seconds ago."""
    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age)
    return URLSafeTimedSerializer(SECRET, salt="sluice-dashboard-session", signer=Earlier).dumps(data)


async def test_a_session_lasts_twelve_hours_from_its_last_use(service):
    _, key = await service.key()
    async with sign_in(service, key) as browser:
        signed = browser.cookies["sluice_session"]
        data = URLSafeTimedSerializer(SECRET, salt="sluice-dashboard-session").loads(signed)
        assert "Max-Age=43200" in (await browser.post("/ui/signin", data={"api_key": key})).headers["set-cookie"]

        browser.cookies.set("sluice_session", aged_cookie(data, 11 * 3600), path="/ui")
        page = await browser.get("/ui/")
        assert page.status_code == 200
        # Used, so signed again from now: it slides.
        renewed = page.headers["set-cookie"]
        assert "Max-Age=43200" in renewed
        fresh = renewed.split(";")[0].split("=", 1)[1]
        assert URLSafeTimedSerializer(SECRET, salt="sluice-dashboard-session").loads(fresh, max_age=60) == data
        # The form token stays valid across the renewal.
        assert csrf(page.text) == csrf((await browser.get("/ui/")).text)

        browser.cookies.set("sluice_session", aged_cookie(data, 13 * 3600), path="/ui")
        expired = await browser.get("/ui/")
        assert expired.status_code == 303 and expired.headers["location"] == "/ui/signin"
