"""Injected faults, the in-flight limit, expiring links and the test controls of the sandbox."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_studio.sandbox import Fault, SandboxConfig, SandboxState, create_app, sandbox_transport
from ideogram_studio.sandbox import app as sandbox_app_module
from ideogram_studio.sandbox.faults import FaultError
from ideogram_studio.sandbox.store import ImageStore

GENERATE = "/v1/ideogram-v3/generate"
PROMPT = {"prompt": "a quiet harbour"}


async def generate(client: httpx.AsyncClient, **fields: str | list[str]) -> httpx.Response:
    return await client.post(GENERATE, data={**PROMPT, **fields})


async def first_url(client: httpx.AsyncClient, **fields: str | list[str]) -> str:
    response = await generate(client, **fields)
    assert response.status_code == 200, response.text
    url: str = response.json()["data"][0]["url"]
    return url


def client_for(app: Starlette, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=sandbox_transport(app), base_url="http://sandbox.test", headers={"Api-Key": "k"}, **kwargs
    )


# ---- faults ---------------------------------------------------------------------------------


async def test_latency_delays_the_answer_then_wears_off(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox waits out the injected latency (asked of asyncio.sleep, recorded here) on the first
    answer only: what it waits is checked, not how long the machine took."""
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float, *args: Any) -> Any:
        waits.append(delay)
        return await real_sleep(delay, *args)

    monkeypatch.setattr(sandbox_app_module.asyncio, "sleep", recording_sleep)
    sandbox_state.inject(Fault.latency(0.4, endpoint="generate", times=1))

    assert (await generate(sandbox_client)).status_code == 200
    assert 0.4 in waits
    waits.clear()
    assert (await generate(sandbox_client)).status_code == 200
    assert not any(w > 0 for w in waits)
    assert sandbox_state.faults == []


async def test_429_carries_retry_after_and_then_the_request_goes_through(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.error(429, retry_after=2, times=1))

    refused = await generate(sandbox_client)
    accepted = await generate(sandbox_client)

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert "error" in refused.json()
    assert accepted.status_code == 200


@pytest.mark.parametrize("status", [500, 503, 402])
async def test_error_statuses_are_answered_while_the_fault_lasts(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState, status: int
) -> None:
    sandbox_state.inject(Fault.error(status, times=2))

    answers = [(await generate(sandbox_client)).status_code for _ in range(3)]

    assert answers == [status, status, 200]


async def test_402_names_a_reject_reason(sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState) -> None:
    sandbox_state.inject(Fault.error(402, times=1))
    body = (await generate(sandbox_client)).json()
    assert body["reject_reason"] and body["error"]


async def test_a_fault_for_one_endpoint_leaves_the_others_alone(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.error(500, endpoint="/v1/ideogram-v3/remix"))
    assert (await generate(sandbox_client)).status_code == 200
    assert len(sandbox_state.faults) == 1


async def test_a_dropped_connection_is_a_protocol_error_not_a_response(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.drop(times=1))

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await generate(sandbox_client)
    assert sandbox_state.requests_seen[GENERATE] == 1  # it did arrive: the outcome is unknown
    assert (await generate(sandbox_client)).status_code == 200


async def test_a_truncated_download_announces_the_full_length_and_breaks_off(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    url = await first_url(sandbox_client)
    full = (await sandbox_client.get(url)).content
    sandbox_state.inject(Fault.truncate(times=1))

    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError):
        async with sandbox_client.stream("GET", url) as response:
            assert response.status_code == 200
            assert int(response.headers["content-length"]) == len(full)
            async for chunk in response.aiter_bytes():
                received += chunk
    assert 0 < len(received) < len(full)
    assert full.startswith(received)
    assert (await sandbox_client.get(url)).content == full


async def test_download_faults_apply_to_the_images_endpoint(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    url = await first_url(sandbox_client)
    sandbox_state.inject(Fault.error(503, endpoint="images", times=1), Fault.drop(endpoint="images", times=1))

    assert (await sandbox_client.get(url)).status_code == 503
    with pytest.raises(httpx.RemoteProtocolError):
        await sandbox_client.get(url)
    assert (await sandbox_client.get(url)).status_code == 200


def test_nonsense_faults_are_refused() -> None:
    with pytest.raises(FaultError):
        Fault.from_json({"kind": "explode"})
    with pytest.raises(FaultError):
        Fault.from_json({"kind": "status", "status_code": 200})
    with pytest.raises(FaultError):
        Fault.from_json({"kind": "latency", "times": 0})
    with pytest.raises(FaultError):
        Fault.from_json({"kind": "drop", "colour": "red"})


# ---- the same over HTTP ---------------------------------------------------------------------


async def test_faults_can_be_injected_listed_and_cleared_over_http(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    added = await sandbox_client.post(
        "/sandbox/faults",
        json=[
            {"kind": "status", "status_code": 429, "retry_after": 0.5, "endpoint": "generate", "times": 1},
            {"kind": "latency", "seconds": 0.01, "endpoint": "describe"},
        ],
    )
    assert added.status_code == 200
    assert [f["kind"] for f in added.json()["faults"]] == ["status", "latency"]

    refused = await generate(sandbox_client)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "0.5"

    listed = (await sandbox_client.get("/sandbox/faults")).json()["faults"]
    assert listed == [
        {
            "kind": "latency",
            "endpoint": "describe",
            "times": None,
            "seconds": 0.01,
            "status_code": 500,
            "retry_after": None,
            "keep_fraction": 0.5,
        }
    ]
    assert (await sandbox_client.delete("/sandbox/faults")).json() == {"faults": []}
    assert sandbox_state.faults == []


async def test_a_bad_fault_over_http_is_400(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/sandbox/faults", json={"kind": "latency", "seconds": -1})
    assert response.status_code == 400
    assert "seconds" in response.json()["error"]
    assert (await sandbox_client.post("/sandbox/faults", content=b"{oops")).status_code == 400


async def test_stats_count_what_happened_and_can_be_reset(
    sandbox_client: httpx.AsyncClient, sandbox_app: Starlette
) -> None:
    url = await first_url(sandbox_client, num_images="2", style_codes=["AABBCCDD", "00112233"])
    async with httpx.AsyncClient(transport=sandbox_transport(sandbox_app)) as keyless:
        await keyless.get(url)
    await sandbox_client.get(url)

    stats = (await sandbox_client.get("/sandbox/stats")).json()
    assert stats["requests_seen"] == {GENERATE: 1}
    assert stats["last_request_fields"] == {
        "prompt": PROMPT["prompt"],
        "num_images": "2",
        "style_codes": ["AABBCCDD", "00112233"],
    }
    assert stats["max_in_flight_images_seen"] == 2
    assert stats["in_flight_images"] == 0
    assert stats["image_requests"] == 2
    assert stats["image_requests_with_api_key"] == 1
    reset = (await sandbox_client.delete("/sandbox/stats")).json()
    assert reset["requests_seen"] == {} and reset["image_requests"] == 0


# ---- the in-flight limit counts images --------------------------------------------------------


async def test_images_over_the_in_flight_limit_get_429(
    sandbox_client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.latency(0.3, endpoint="generate"))

    responses = await asyncio.gather(*(generate(sandbox_client, num_images="4") for _ in range(3)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 429]
    refused = next(r for r in responses if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert sandbox_state.max_in_flight_images_seen == 8
    assert sandbox_state.in_flight_images == 0


async def test_the_in_flight_limit_is_configurable() -> None:
    app = create_app(SandboxConfig(max_in_flight_images=3))
    async with client_for(app) as client:
        assert (await generate(client, num_images="4")).status_code == 429
        assert (await generate(client, num_images="3")).status_code == 200
    assert app.state.sandbox.in_flight_images == 0


# ---- links ------------------------------------------------------------------------------------


async def test_links_expire(fake_clock: Any) -> None:
    app = create_app(SandboxConfig(clock=fake_clock, link_lifetime=600))
    async with client_for(app) as client:
        url = await first_url(client)
        exp = int(httpx.URL(url).params["exp"])
        assert exp == int(fake_clock.now) + 600

        fake_clock.advance(599)
        assert (await client.get(url)).status_code == 200
        fake_clock.advance(1)
        expired = await client.get(url)
    assert expired.status_code == 404
    assert "expired" in expired.json()["error"]


async def test_a_forged_link_is_404(sandbox_client: httpx.AsyncClient) -> None:
    url = httpx.URL(await first_url(sandbox_client))
    later = int(url.params["exp"]) + 3600
    assert (await sandbox_client.get(url.copy_set_param("exp", str(later)))).status_code == 404
    assert (await sandbox_client.get(url.copy_set_param("sig", "0" * 64))).status_code == 404
    assert (await sandbox_client.get(url.copy_with(query=None))).status_code == 404
    assert (await sandbox_client.get(str(url).replace("/images/", "/images/x"))).status_code == 404


async def test_images_can_be_served_from_another_host() -> None:
    app = create_app(SandboxConfig(image_base_url="http://images.sandbox.test"))
    async with client_for(app) as client:
        url = await first_url(client)
        assert url.startswith("http://images.sandbox.test/sandbox/images/")
        assert (await client.get(url)).status_code == 200


def test_the_store_drops_the_oldest_beyond_its_bounds() -> None:
    store = ImageStore(clock=lambda: 1000.0, max_images=2, max_bytes=10)
    first = store.put(b"aaaa", 60)
    second = store.put(b"bbbb", 60)
    third = store.put(b"cccc", 60)
    assert len(store) == 2
    found = []
    for image_id, expires_at in (first, second, third):
        link = httpx.URL(store.link("http://x", image_id, expires_at))
        found.append(store.get(image_id, link.params["exp"], link.params["sig"]))
    assert found == [None, b"bbbb", b"cccc"]
    store.put(b"dddddddd", 60)  # 12 bytes with cccc: over max_bytes
    assert len(store) == 1 and store.total_bytes == 8
