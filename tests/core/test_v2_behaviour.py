"""v2 behaviour beyond the contract's shapes: refusals before sending, async generations and their
polling, lost generations, reject reasons, deprecation notices, and the v3 sandbox fixes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.errors import PaymentRequiredError, RequestValidationError
from ideogram_studio.api.registry import REGISTRY
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_client import GenerationFailedError, GenerationLostError
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.api.v2_responses import AsyncAcknowledgement, GenerationStatus, V2ImageResult
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport
from ideogram_studio.sandbox.faults import Fault

from .contract_v2 import answer_errors
from .helpers import SANDBOX_URL, TEST_API_KEY, FakeClock, mask_bytes, png_bytes
from .v2_samples import mask, sample, source

CAPTION = {
    "high_level_description": "A poster",
    "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                          "color_palette": ["#112233", "#FFEEDD"]},
    "compositional_deconstruction": {"background": "cream", "elements": [
        {"type": "text", "bbox": [50, 100, 250, 900], "text": "HELLO", "desc": "headline"},
        {"type": "obj", "bbox": [400, 300, 900, 700], "desc": "a fox"}]},
}  # fmt: skip


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    return create_app(SandboxConfig(clock=clock, async_pending_seconds=30, poll_min_interval=5))


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[IdeogramClient]:
    async def no_sleep(_: float) -> None:
        return None

    c = IdeogramClient(api_key=TEST_API_KEY, base_url=SANDBOX_URL, transport=sandbox_transport(app), sleep=no_sleep)
    yield c
    await c.aclose()


def g45(**values: object) -> V2Request:
    return V2Request.build(Operation.GENERATE, "ideogram-4-5", values)


# ---- refusals before anything is sent ------------------------------------------------------------


def test_a_structured_prompt_that_is_not_json_names_the_field_and_the_rule() -> None:
    with pytest.raises(RequestValidationError) as caught:
        g45(json_prompt='{"high_level_description": "x",')
    assert caught.value.field == "json_prompt" and "not valid JSON" in caught.value.rule


def test_a_structured_prompt_that_breaks_the_schema_names_the_key() -> None:
    broken = json.loads(json.dumps(CAPTION))
    broken["compositional_deconstruction"]["elements"][1]["bbox"] = [0, 0, 1200, 10]
    with pytest.raises(RequestValidationError) as caught:
        g45(json_prompt=broken)
    assert caught.value.field == "json_prompt.compositional_deconstruction.elements[1].bbox"
    assert "0 to 1000" in caught.value.rule


def test_text_and_structured_prompt_together_are_refused() -> None:
    with pytest.raises(RequestValidationError, match="not both"):
        g45(prompt="a fox", json_prompt=CAPTION).validate()


def test_verifier_findings_are_warnings_not_refusals() -> None:
    shuffled = {"style_description": CAPTION["style_description"], **CAPTION}
    request = g45(json_prompt=shuffled)
    request.validate()
    assert any("order" in str(a) for a in request.advice())


async def test_a_quote_for_describe_is_refused_locally(app: Starlette, client: IdeogramClient) -> None:
    request = sample(REGISTRY[(Operation.DESCRIBE, "ideogram-4")])
    with pytest.raises(RequestValidationError, match="no price quote"):
        await client.v2.quote(request)
    assert app.state.sandbox.requests_seen == {}


def test_precise_edit_context_window_rules() -> None:
    spec_args = (Operation.PRECISE_EDIT, "ideogram-4-5")
    small = V2Request.build(*spec_args, {"prompt": "x", "context_window": "0,0,100,400"}, {"image": [source()]})
    with pytest.raises(RequestValidationError, match="at least 256"):
        small.validate()
    auto = V2Request.build(*spec_args, {"prompt": "x", "context_window": "auto"}, {"image": [source()]})
    with pytest.raises(RequestValidationError, match="needs a mask"):
        auto.validate()
    ok = V2Request.build(*spec_args, {"prompt": "x", "context_window": "auto"}, {"image": [source()], "mask": [mask()]})
    ok.validate()


# ---- what goes on the wire ------------------------------------------------------------------------


def test_a_structured_prompt_is_sent_as_the_prompt_with_magic_prompt_off_and_private() -> None:
    kind, body = g45(json_prompt=CAPTION, magic_prompt="on").body()
    assert kind == "json" and isinstance(body, dict)
    assert json.loads(body["prompt"]) == CAPTION and body["magic_prompt"] == "off" and body["private"] is True


def test_private_is_not_sent_where_the_field_does_not_exist() -> None:
    request = V2Request.build(Operation.REFRAME, "ideogram-3", {"resolution": "1024x1024"}, {"image": [source()]})
    _, parts = request.body()
    assert "private" not in {name for name, _ in parts}


# ---- async generations -------------------------------------------------------------------------------


async def test_an_async_generation_is_polled_until_it_completes(
    app: Starlette, client: IdeogramClient, clock: FakeClock
) -> None:
    ack = await client.v2.send(g45(prompt="a fox", num_images=2), send_async=True)
    assert isinstance(ack, AsyncAcknowledgement)
    pending = await client.v2.poll(ack.generation_id)
    assert pending.status is GenerationStatus.PENDING

    polls: list[float] = []

    def on_poll(_g: object, wait: float) -> None:
        polls.append(wait)
        clock.advance(wait)

    done = await client.v2.wait(ack.generation_id, on_poll=on_poll)
    assert done.status is GenerationStatus.COMPLETED and len(done.data) == 2
    assert done.usage_cost_usd_micros == 120_000 and done.billing_identifier
    assert any(w >= 1 for w in polls)  # Retry-After and back-off were waited for
    assert app.state.sandbox.generations_created == 1


async def test_polling_too_fast_answers_429_with_retry_after(app: Starlette, clock: FakeClock) -> None:
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=SANDBOX_URL,
                                 headers={"Api-Key": TEST_API_KEY}) as http:  # fmt: skip
        ack = (await http.post("/v2/image/generate/ideogram-4", json={"prompt": "x", "async": True})).json()
        first = await http.get(f"/v2/generations/{ack['generation_id']}")
        second = await http.get(f"/v2/generations/{ack['generation_id']}")
    assert first.status_code == 200 and second.status_code == 429
    assert second.headers["Retry-After"] == "5"
    assert answer_errors(f"/v2/generations/{ack['generation_id']}", second, "get") == []


async def test_a_failed_generation_raises_with_its_failure_reason(client: IdeogramClient, clock: FakeClock) -> None:
    ack = await client.v2.send(g45(prompt="a fox [fail]"), send_async=True)
    assert isinstance(ack, AsyncAcknowledgement)
    with pytest.raises(GenerationFailedError) as caught:
        await client.v2.wait(ack.generation_id, on_poll=lambda _g, wait: clock.advance(wait))
    assert caught.value.detail and "[fail]" in caught.value.detail


async def test_a_lost_generation_is_reported_not_resent(app: Starlette, client: IdeogramClient) -> None:
    with pytest.raises(GenerationLostError):
        await client.v2.poll("no-such-generation")
    assert app.state.sandbox.generations_created == 0


async def test_replace_background_is_async_only(client: IdeogramClient) -> None:
    request = sample(REGISTRY[(Operation.REPLACE_BACKGROUND, "ideogram-3")])
    assert request.wants_async
    assert isinstance(await client.v2.send(request), AsyncAcknowledgement)


# ---- reproduce ---------------------------------------------------------------------------------------


async def test_the_returned_caption_with_magic_off_and_the_same_seed_reproduces_the_image(
    client: IdeogramClient,
) -> None:
    first = await client.v2.send(g45(prompt='a poster that says "HELLO"', seed=7), send_async=False)
    assert isinstance(first, V2ImageResult)
    caption = json.loads(first.data[0].prompt or "")
    again = await client.v2.send(g45(json_prompt=caption, seed=7), send_async=False)
    assert isinstance(again, V2ImageResult)
    a, b = await client.download(first.data[0]), await client.download(again.data[0])
    assert a == b


# ---- reject reasons and deprecations -----------------------------------------------------------------


async def test_a_402_reject_reason_becomes_a_sentence(app: Starlette, client: IdeogramClient) -> None:
    app.state.sandbox.inject(Fault.error(402, endpoint="/v2/image/generate/ideogram-4-5"))
    with pytest.raises(PaymentRequiredError, match="run out of credit"):
        await client.v2.send(g45(prompt="a fox"), send_async=False)


async def test_the_deprecated_edit_endpoint_is_recorded_once(app: Starlette, client: IdeogramClient) -> None:
    from ideogram_studio.api.images import ImageFile
    from ideogram_studio.api.requests import LegacyEditRequest

    heard: list[str] = []
    client.deprecations.subscribe(lambda n: heard.append(n.message))
    request = LegacyEditRequest(
        prompt="a hat", image=ImageFile.from_bytes(png_bytes(64, 64)),
        mask=ImageFile.from_bytes(mask_bytes(64, 64, (0, 0, 20, 20))),
    )  # fmt: skip
    await client.send(request)
    await client.send(request)
    assert len(heard) == 1 and "/v2/image/inpaint/ideogram-3" in heard[0] and "2026-04-29" in heard[0]


# ---- fixes found by fuzzing the v3 contract -------------------------------------------------------------


async def test_v3_sandbox_fixes(sandbox_client: httpx.AsyncClient) -> None:
    one = png_bytes(1, 1)
    replaced = await sandbox_client.post(
        "/v1/ideogram-v3/replace-background", data={"prompt": "a forest"},
        files=[("image", ("a.png", one, "image/png"))],
    )
    # It answered 500; now a 400 that says why (the answer's size could not be written in the contract).
    assert replaced.status_code == 400 and "at least 10 pixels" in replaced.text
    upscaled = await sandbox_client.post(
        "/upscale", data={"image_request": "{}"}, files=[("image_file", ("a.png", one, "image/png"))]
    )
    w, h = upscaled.json()["data"][0]["upscaled_resolution"].split("x")
    assert len(w) >= 2 and len(h) >= 2
    palette = json.dumps({"members": [{"color_hex": "#AABBCC", "color_weight": None}]})
    refused = await sandbox_client.post(
        "/v1/ideogram-v3/generate", files=[("prompt", (None, b"x")), ("color_palette", (None, palette.encode()))]
    )
    assert refused.status_code == 400 and "color_weight" in refused.text


async def test_every_kind_of_poll_and_magic_prompt_answer_matches_the_contract(
    app: Starlette, clock: FakeClock
) -> None:
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=SANDBOX_URL,
                                 headers={"Api-Key": TEST_API_KEY}) as http:  # fmt: skip
        ok = (await http.post("/v2/image/generate/ideogram-4", json={"prompt": "x", "async": True})).json()
        bad = (await http.post("/v2/image/generate/ideogram-4", json={"prompt": "x [fail]", "async": True})).json()
        answers = [await http.get(f"/v2/generations/{ok['generation_id']}")]  # pending
        clock.advance(60)
        answers += [await http.get(f"/v2/generations/{ok['generation_id']}"),  # completed
                    await http.get(f"/v2/generations/{bad['generation_id']}"),  # failed
                    await http.get("/v2/generations/nothing")]  # fmt: skip
        magic = await http.post("/v1/ideogram-v4/magic-prompt", json={"text_prompt": "a fox", "aspect_ratio": "1x1"})
        unauthorised = await http.get(f"/v2/generations/{ok['generation_id']}", headers={"Api-Key": ""})
    assert [a.json().get("status") for a in answers[:3]] == ["pending", "completed", "failed"]
    assert answers[3].status_code == 404 and unauthorised.status_code == 401
    for answer in [*answers, unauthorised]:
        assert answer_errors(str(answer.request.url.path), answer, "get") == []
    assert magic.status_code == 200 and answer_errors("/v1/ideogram-v4/magic-prompt", magic) == []


def test_a_request_is_addressed_by_operation_and_model() -> None:
    from ideogram_studio.api.registry import V1_MODEL, resolve
    from ideogram_studio.api.requests import EditRequest

    assert resolve(Operation.EDIT, V1_MODEL) is EditRequest
    assert resolve(Operation.EDIT, "ideogram-3") is REGISTRY[(Operation.EDIT, "ideogram-3")]
    with pytest.raises(RequestValidationError, match="no v1 endpoint"):
        resolve(Operation.PRECISE_EDIT, V1_MODEL)
    with pytest.raises(RequestValidationError, match="choose ideogram-4-5"):
        resolve(Operation.PRECISE_EDIT, "ideogram-4")
