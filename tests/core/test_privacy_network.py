"""Issue 20, the network side: the key only over TLS, answers read by type, the key cleaned from
what servers say, result downloads only to public https hosts within a deadline."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ideogram_studio import cli
from ideogram_studio.api import errors
from ideogram_studio.api.client import IdeogramClient, RetryPolicy
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.links import InsecureConnectionError, LinkPolicy, UnsafeLinkError, base_url_refusal
from ideogram_studio.api.requests import GenerateRequest, RemixRequest
from ideogram_studio.api.responses import GeneratedImage
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.sandbox.server import serve_in_thread
from ideogram_studio.services import Tuning, connect
from ideogram_studio.settings import Settings

from .helpers import png_bytes
from .memory_store import MemoryJobStore

KEY = "sk-live-7f3a9c1e5b"
HTTPS_API = "https://api.example.test"


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


# ---- a recording server (what a proxy in the middle would see) -----------------------------------


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []


@pytest.fixture
def recording_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """An HTTP proxy on 127.0.0.1 that records every request it is asked to forward (and answers 502).

    Plain-http requests to any host go through it (HTTP_PROXY), as they would through a hostile
    proxy on the network: whatever it records travelled in clear."""
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            recorder.requests.append((self.path, dict(self.headers)))
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _record

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy = f"http://127.0.0.1:{server.server_address[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A CLI with a key from the environment, no keyring, and a settings folder of its own."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("IDEOGRAM_API_KEY", KEY)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("IDEOGRAM_API_BASE", raising=False)
    return tmp_path


def test_the_recording_proxy_sees_a_plain_http_request(recording_proxy: Recorder) -> None:
    """The harness itself: a plain-http request to a remote host does reach the recorder."""
    with httpx.Client() as client:
        client.get("http://api.example.test/ping")
    assert [path for path, _ in recording_proxy.requests] == ["http://api.example.test/ping"]


@pytest.mark.parametrize("where", ["--api-base", "IDEOGRAM_API_BASE", "settings file"])
def test_a_plain_http_api_base_is_refused_and_nothing_is_sent(
    where: str, recording_proxy: Recorder, cli_env: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = "http://api.example.test"
    argv = ["generate", "--prompt", "a fox", "--out", str(cli_env / "out")]
    if where == "--api-base":
        argv += ["--api-base", base]
    elif where == "IDEOGRAM_API_BASE":
        monkeypatch.setenv("IDEOGRAM_API_BASE", base)
    else:
        settings_file = cli_env / "config" / "IdeogramStudio" / "settings.json"
        settings_file.parent.mkdir(parents=True)
        settings_file.write_text(json.dumps({"api_base": base}), "utf-8")
    status = cli.main(argv)
    err = capsys.readouterr().err
    assert status == 2
    assert "plain http" in err and "https://" in err and "Nothing was sent" in err
    assert KEY not in err
    assert recording_proxy.requests == []


async def test_the_window_refuses_a_plain_http_base_from_the_settings(
    recording_proxy: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.delenv("IDEOGRAM_API_BASE", raising=False)
    settings = Settings(api_base="http://api.example.test")
    connection = connect(settings, KEY, "keyring", Tuning(retry=RetryPolicy(1)))
    store = MemoryJobStore()
    queue = JobQueue(connection.client, store)
    try:
        job = await queue.submit(GenerateRequest(prompt="a fox"))
        await _wait_finished(queue, job.id)
    finally:
        await queue.aclose()
        await connection.client.aclose()
    assert job.state is JobState.FAILED
    assert job.error is not None and "plain http" in job.error and "Nothing was sent" in job.error
    assert not job.maybe_billed
    assert recording_proxy.requests == []


@pytest.mark.parametrize(
    ("base", "allowed"),
    [
        ("https://api.ideogram.ai", True),
        ("http://127.0.0.1:8765", True),
        ("http://[::1]:8765", True),
        ("http://localhost:8765", True),
        ("http://api.ideogram.ai", False),
        ("http://192.168.1.20:8765", False),
        ("http://0.0.0.0:8765", False),
        ("ftp://api.ideogram.ai", False),
    ],
)
def test_which_api_bases_may_carry_the_key(base: str, allowed: bool) -> None:
    assert (base_url_refusal(base) is None) is allowed


# ---- answers read by type --------------------------------------------------------------------------


MALFORMED: dict[str, Any] = {
    "data is null": {"created": "2026-01-01T00:00:00Z", "data": None},
    "data is text": {"created": "2026-01-01T00:00:00Z", "data": "three images"},
    "numeric url": {"created": "x", "data": [{"url": 12345, "is_image_safe": True, "resolution": "64x64"}]},
    "resolution axb": {"created": "x", "data": [{"url": "https://img.example.test/a.png", "is_image_safe": True,
                                                "resolution": "axb"}]},
    "entry not an object": {"created": "x", "data": ["https://img.example.test/a.png"]},
    "a list, not an object": [{"url": "https://img.example.test/a.png"}],
    "seed as text": {"created": "x", "data": [{"url": None, "is_image_safe": False, "seed": "12"}]},
    "safe flag as text": {"created": "x", "data": [{"url": None, "is_image_safe": "no"}]},
}


def answering(body: Callable[[httpx.Request], httpx.Response]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return body(request)

    return httpx.MockTransport(handler), seen


async def _wait_finished(queue: JobQueue, job_id: str) -> None:
    done = asyncio.Event()

    def check(_: object = None) -> None:
        if queue.jobs[job_id].state.finished:
            done.set()

    unsubscribe = queue.subscribe(check)
    try:
        check()
        await asyncio.wait_for(done.wait(), 10)
    finally:
        unsubscribe()


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_malformed_answer_fails_the_job_and_keeps_its_inputs(case: str) -> None:
    transport, seen = answering(lambda r: httpx.Response(200, json=MALFORMED[case]))
    store = MemoryJobStore()
    source = ImageFile.from_bytes(png_bytes(96, 64), "source.png")
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        queue = JobQueue(client, store)
        try:
            job = await queue.submit(RemixRequest(prompt="a fox", image=source))
            await _wait_finished(queue, job.id)
        finally:
            await queue.aclose()
    assert job.state is JobState.FAILED
    assert job.error is not None and "answered something this version cannot read" in job.error
    assert job.maybe_billed  # it answered: it may have billed, so it is never resent by itself
    assert store.records[job.id]["state"] == "failed"  # the journal too: the next start finds no "sending"
    sends = [r for r in seen if "dry_run" not in r.url.params]  # (its price is asked first: its v2 twin's)
    assert len(sends) == 1
    assert store.records[job.id]["input_hashes"]["image"][0] in store.blobs


async def test_a_bug_while_running_fails_the_job_instead_of_leaving_it_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport, _ = answering(lambda r: httpx.Response(200, json={"created": "x", "data": []}))
    store = MemoryJobStore()
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        queue = JobQueue(client, store)

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise TypeError("unforeseen")

        monkeypatch.setattr(queue, "_download_all", broken)
        try:
            job = await queue.submit(GenerateRequest(prompt="a fox"))
            await _wait_finished(queue, job.id)
        finally:
            await queue.aclose()
    assert job.state is JobState.FAILED and store.records[job.id]["state"] == "failed"
    assert job.error is not None and "not sent again" in job.error


# ---- the key cleaned from what servers say ----------------------------------------------------------


async def test_a_key_echoed_in_an_error_is_never_stored_or_shown() -> None:
    transport, _ = answering(
        lambda r: httpx.Response(400, json={"error": f"bad request from Api-Key: {r.headers['Api-Key']} (check it)"})
    )
    store = MemoryJobStore()
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        with pytest.raises(errors.BadRequestError) as caught:
            await client.send(GenerateRequest(prompt="a fox"))
        queue = JobQueue(client, store)
        try:
            job = await queue.submit(GenerateRequest(prompt="a fox"))
            await _wait_finished(queue, job.id)
        finally:
            await queue.aclose()
    assert KEY not in str(caught.value) and KEY not in (caught.value.detail or "")
    assert "[redacted]" in str(caught.value)
    assert job.error is not None and KEY not in job.error
    assert KEY not in json.dumps(store.records[job.id], default=str)


async def test_a_key_echoed_in_an_answer_is_not_kept_in_the_journal() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            key = request.headers["Api-Key"]
            return httpx.Response(200, json={
                "created": "2026-01-01T00:00:00Z",
                "echo": {"api_key": key, "headers": f"Api-Key={key}"},
                "data": [{"url": None, "is_image_safe": False, "prompt": f"a fox {key}", "seed": 1}],
            })
        return httpx.Response(404)

    transport, _ = answering(answer)
    store = MemoryJobStore()
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        queue = JobQueue(client, store)
        try:
            job = await queue.submit(GenerateRequest(prompt="a fox"))
            await _wait_finished(queue, job.id)
        finally:
            await queue.aclose()
    assert job.state is JobState.DONE
    assert KEY not in json.dumps(store.records[job.id], default=str)
    assert KEY not in json.dumps(job.response)


def test_the_cli_never_prints_a_key_a_server_echoed(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def refuse(request: Request) -> JSONResponse:
        return JSONResponse({"error": f"key {request.headers.get('api-key')} is revoked"}, status_code=401)

    app = Starlette(routes=[Route("/v1/ideogram-v3/generate", refuse, methods=["POST"])])
    with serve_in_thread(app) as url:
        status = cli.main(["generate", "--prompt", "a fox", "--api-base", url, "--out", str(cli_env / "out")])
    err = capsys.readouterr().err
    assert status == 1
    assert "refused the API key" in err
    assert KEY not in err


# ---- result downloads -----------------------------------------------------------------------------------


def _image(url: str) -> GeneratedImage:
    return GeneratedImage(url=url, is_image_safe=True, resolution="64x48")


def _redirecting(hops: dict[str, str]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """GET of a key of `hops` answers 302 to its value; anything else answers the image."""
    picture = png_bytes(64, 48)

    def answer(request: httpx.Request) -> httpx.Response:
        target = hops.get(str(request.url))
        if target is not None:
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, content=picture, headers={"Content-Type": "image/png"})

    return answering(answer)


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata, plain http
        "https://169.254.169.254/latest/meta-data/",  # link-local, even over https
        "https://10.0.0.8/router.png",  # private network
        "https://127.0.0.1:8080/admin.png",  # this computer
        "https://[::1]/x.png",
        "https://printer.local/x.png",
        "http://cdn.example.test/a.png",  # a public host, but not over TLS
        "file:///etc/passwd",
    ],
)
async def test_a_redirect_to_an_unsafe_address_is_not_followed(target: str) -> None:
    start = "https://img.example.test/a.png?exp=9999999999"
    transport, seen = _redirecting({start: target})
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        with pytest.raises(UnsafeLinkError) as caught:
            await client.download(_image(start))
    assert [str(r.url) for r in seen] == [start]  # the target was never asked
    assert "was not fetched" in str(caught.value)
    assert all("api-key" not in r.headers for r in seen)


async def test_a_redirect_to_a_public_https_host_is_followed() -> None:
    start = "https://img.example.test/a.png"
    transport, seen = _redirecting({start: "https://cdn.example.test/b.png"})
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        data = await client.download(_image(start))
    assert ImageFile.from_bytes(data).size == (64, 48)
    assert [str(r.url) for r in seen] == [start, "https://cdn.example.test/b.png"]


async def test_a_redirect_chain_is_bounded() -> None:
    chain = {f"https://img.example.test/{i}.png": f"https://img.example.test/{i + 1}.png" for i in range(10)}
    transport, seen = _redirecting(chain)
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        with pytest.raises(UnsafeLinkError, match="redirected more than"):
            await client.download(_image("https://img.example.test/0.png"))
    assert len(seen) == 4  # the link and three redirects


async def test_a_result_link_on_the_local_network_is_not_fetched() -> None:
    transport, seen = _redirecting({})
    async with IdeogramClient(api_key=KEY, base_url=HTTPS_API, transport=transport, sleep=no_sleep) as client:
        with pytest.raises(UnsafeLinkError):
            await client.download(_image("https://192.168.0.1/a.png"))
    assert seen == []


async def test_a_download_has_an_overall_deadline() -> None:
    release = asyncio.Event()

    async def trickle(request: httpx.Request) -> httpx.Response:
        await release.wait()  # never set: the host never finishes answering
        return httpx.Response(200)

    async with IdeogramClient(
        api_key=KEY, base_url=HTTPS_API, transport=httpx.MockTransport(trickle), sleep=no_sleep,
        download_deadline=0.2,
    ) as client:
        with pytest.raises(errors.DownloadDeadlineError, match="did not finish within"):
            await client.download(_image("https://img.example.test/a.png"))


def test_link_policy_of_the_local_sandbox_allows_its_own_plain_links() -> None:
    local = LinkPolicy.for_base("http://127.0.0.1:8765")
    assert local.refusal("http://127.0.0.1:8765/images/a.png") is None
    assert local.refusal("http://169.254.169.254/") is not None
    remote = LinkPolicy.for_base("https://api.ideogram.ai")
    assert remote.refusal("https://ideogram.ai/api/images/ephemeral/a.png") is None
    assert remote.refusal("http://127.0.0.1:8765/images/a.png") is not None


def test_insecure_connection_error_is_an_api_error() -> None:
    assert issubclass(InsecureConnectionError, errors.ApiError)
