"""Issue 20, item 9, the sandbox: not reachable from other computers unless asked (with a warning);
its test controls refuse what a web page could send (cross-origin simple POSTs, DNS rebinding)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from ideogram_studio.sandbox import SandboxState, create_app
from ideogram_studio.sandbox.server import main, serve_in_thread

FAULT = '{"kind": "status", "status_code": 500, "endpoint": "generate"}'


@pytest.fixture
def served() -> Iterator[tuple[str, SandboxState]]:
    app = create_app()
    with serve_in_thread(app) as url:
        yield url, app.state.sandbox


def test_a_page_cannot_inject_faults_with_a_simple_cross_origin_post(served: tuple[str, SandboxState]) -> None:
    url, state = served
    response = httpx.post(
        f"{url}/sandbox/faults", content=FAULT, headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
        trust_env=False,
    )  # fmt: skip
    assert response.status_code == 403
    assert state.faults == []


def test_a_json_post_from_another_origin_is_refused(served: tuple[str, SandboxState]) -> None:
    url, state = served
    response = httpx.post(
        f"{url}/sandbox/faults", content=FAULT,
        headers={"Content-Type": "application/json", "Origin": "http://evil.example"}, trust_env=False,
    )  # fmt: skip
    assert response.status_code == 403 and "cross-origin" in response.json()["error"]
    assert state.faults == []


def test_dns_rebinding_is_refused_by_the_host_check(served: tuple[str, SandboxState]) -> None:
    url, state = served
    # The page's own name, resolved to 127.0.0.1: same-origin to the browser, but the Host says so.
    for method in ("GET", "DELETE"):
        response = httpx.request(method, f"{url}/sandbox/stats", headers={"Host": "rebind.evil.example"},
                                 trust_env=False)  # fmt: skip
        assert response.status_code == 403
    response = httpx.post(f"{url}/sandbox/faults", content=FAULT, trust_env=False,
                          headers={"Host": "rebind.evil.example", "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 403 and state.faults == []


def test_the_tools_on_this_computer_still_reach_the_controls(served: tuple[str, SandboxState]) -> None:
    url, state = served
    response = httpx.post(f"{url}/sandbox/faults", content=FAULT, headers={"Content-Type": "application/json"},
                          trust_env=False)  # fmt: skip
    assert response.status_code == 200 and len(state.faults) == 1
    assert httpx.get(f"{url}/sandbox/stats", trust_env=False).status_code == 200


def test_listening_beyond_this_computer_needs_an_explicit_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "--allow-remote" in err and "other computers" in err


def test_with_the_flag_it_listens_and_warns() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ideogram_studio.sandbox.server", "--host", "0.0.0.0", "--port", "0", "--allow-remote"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        listening = process.stdout.readline()
        warning = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert listening.startswith("Ideogram sandbox listening on http://0.0.0.0:")
    assert "warning" in warning and "reachable from other computers" in warning
