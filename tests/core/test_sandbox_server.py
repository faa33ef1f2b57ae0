"""The sandbox over a real socket: uvicorn in a thread, and the `ideogram-sandbox` command."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from ideogram_studio.sandbox import Fault, SandboxState, create_app
from ideogram_studio.sandbox.server import main, serve_in_thread

GENERATE = "/v1/ideogram-v3/generate"


@pytest.fixture
def served() -> Iterator[tuple[str, SandboxState]]:
    app = create_app()
    with serve_in_thread(app) as url:
        yield url, app.state.sandbox


async def test_generate_and_download_over_a_socket(served: tuple[str, SandboxState]) -> None:
    url, _ = served
    assert url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient(base_url=url, headers={"Api-Key": "k"}) as client:
        response = await client.post(GENERATE, data={"prompt": "a kite", "aspect_ratio": "16x9"})
        assert response.status_code == 200, response.text
        item = response.json()["data"][0]
        assert item["url"].startswith(url + "/sandbox/images/")
        image = await client.get(item["url"])
    assert image.status_code == 200
    assert Image.open(io.BytesIO(image.content)).size == (1312, 736)


async def test_a_dropped_connection_reaches_the_client_as_a_protocol_error(
    served: tuple[str, SandboxState],
) -> None:
    url, state = served
    state.inject(Fault.drop(times=1))
    async with httpx.AsyncClient(base_url=url, headers={"Api-Key": "k"}) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await client.post(GENERATE, data={"prompt": "a kite"})
        # The server itself is fine: the next request on a new connection succeeds.
        assert (await client.post(GENERATE, data={"prompt": "a kite"})).status_code == 200
    assert state.requests_seen[GENERATE] == 2


async def test_a_truncated_download_over_a_socket_fails_while_reading(served: tuple[str, SandboxState]) -> None:
    url, state = served
    async with httpx.AsyncClient(base_url=url, headers={"Api-Key": "k"}) as client:
        image_url = (await client.post(GENERATE, data={"prompt": "a kite"})).json()["data"][0]["url"]
        state.inject(Fault.truncate(times=1))
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            await client.get(image_url)
        assert (await client.get(image_url)).status_code == 200


def test_the_command_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ideogram_studio.sandbox.server", "--port", "0", "--max-in-flight", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Ideogram sandbox listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[-1].strip()
        with httpx.Client(base_url=url, headers={"Api-Key": "k"}) as client:
            assert client.post("/sandbox/faults", json={"kind": "status", "status_code": 503, "times": 1}).is_success
            assert client.post(GENERATE, data={"prompt": "x"}).status_code == 503
            assert client.post(GENERATE, data={"prompt": "x", "num_images": "5"}).status_code == 429
            assert client.post(GENERATE, data={"prompt": "x"}).status_code == 200
            assert client.get("/sandbox/stats").json()["requests_seen"] == {GENERATE: 3}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("ideogram-sandbox ")
