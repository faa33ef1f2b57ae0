"""The scripting CLI against the sandbox served as a real process on 127.0.0.1.

Every endpoint is called through `python -m ideogram_studio <command>` as a subprocess, with
IDEOGRAM_API_BASE pointing at the server; the images it saves are decoded and measured. The error
paths check the exit code (2: invalid, nothing sent; 1: the service failed), the one "error:" line
on stderr, and, through the server's counters, whether a request was sent at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw

from ideogram_studio import __version__
from ideogram_studio.api.client import RetryPolicy

from .helpers import SandboxServer, console_script

pytestmark = pytest.mark.e2e

CLI_TIMEOUT = 60
SOURCE_SIZE = (320, 256)
#: The part of the source the edit mask marks to change (black); the rest is white (keep).
MASK_BOX = (96, 64, 224, 192)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NETWORK_ATTEMPT = "NETWORK ATTEMPT"
#: Runs the CLI with every outgoing connection and name lookup refused (and reported on stderr).
NO_NETWORK = f"""
import runpy, socket, sys

class NetworkDisabled(RuntimeError):
    pass

def refuse(*args, **kwargs):
    sys.stderr.write("{NETWORK_ATTEMPT} " + repr(args)[:200] + "\\n")
    sys.stderr.flush()
    raise NetworkDisabled("the test forbids network access")

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        refuse(address)
    return _connect(self, address)

def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        refuse(address)
    return _connect_ex(self, address)

socket.getaddrinfo = refuse
socket.create_connection = refuse
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
sys.argv = ["ideogram-studio", *sys.argv[1:]]
runpy.run_module("ideogram_studio", run_name="__main__", alter_sys=True)
"""


# ---- helpers -------------------------------------------------------------------------------


def cli_env(server: SandboxServer | None, **overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    if server is not None:
        env["IDEOGRAM_API_BASE"] = server.url
        env["IDEOGRAM_API_KEY"] = "e2e-any-key"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_cli(
    *args: str | Path, env: dict[str, str], cwd: Path, guard_network: bool = False
) -> subprocess.CompletedProcess[str]:
    prefix = [sys.executable, "-c", NO_NETWORK] if guard_network else [sys.executable, "-m", "ideogram_studio"]
    return subprocess.run(
        [*prefix, *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, f"exit {result.returncode}\nstderr:\n{result.stderr}\nstdout:\n{result.stdout}"
    summary: dict[str, Any] = json.loads(result.stdout)
    assert summary["sent"] is True
    assert not [line for line in result.stderr.splitlines() if line.startswith("error:")], result.stderr
    return summary


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def saved_images(summary: dict[str, Any], out: Path, count: int) -> list[tuple[dict[str, Any], Image.Image]]:
    """Each summary entry's file: in `out`, decodable, at the size the entry reports."""
    entries = summary["images"]
    assert len(entries) == count, entries
    images = []
    for entry in entries:
        assert "error" not in entry, entry
        path = Path(entry["path"])
        path = path if path.is_absolute() else out.parent / path
        assert path.parent.resolve() == out.resolve() and path.is_file(), entry
        with Image.open(path) as img:
            img.load()
            assert img.format == "PNG"
            assert f"{img.width}x{img.height}" == entry["resolution"], entry
            images.append((entry, img.copy()))
    return images


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        img.load()
        return img.size


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The CLI's working folder; the source image and mask are made here with Pillow."""
    work = tmp_path / "work"
    work.mkdir()
    source = Image.new("RGB", SOURCE_SIZE, (236, 232, 220))
    draw = ImageDraw.Draw(source)
    draw.rectangle((40, 40, 280, 216), fill=(30, 90, 160))
    draw.ellipse((120, 80, 200, 176), fill=(230, 120, 30))
    draw.text((20, 12), "SALE", fill=(10, 10, 10))
    source.save(work / "source.png")
    mask = Image.new("L", SOURCE_SIZE, 255)
    ImageDraw.Draw(mask).rectangle((MASK_BOX[0], MASK_BOX[1], MASK_BOX[2] - 1, MASK_BOX[3] - 1), fill=0)
    mask.save(work / "mask.png")
    (work / "notes.png").write_text("this is not an image\n", "utf-8")
    return work


# ---- versions ------------------------------------------------------------------------------


def test_both_commands_print_their_version() -> None:
    commands = (("ideogram-studio", "ideogram_studio"), ("ideogram-sandbox", "ideogram_studio.sandbox.server"))
    for name, module in commands:
        result = subprocess.run(
            [*console_script(name, module), "--version"], capture_output=True, text=True, timeout=CLI_TIMEOUT
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"{name} {__version__}"


# ---- every endpoint ------------------------------------------------------------------------


def test_generate_sends_every_field_given(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "generate", "--prompt", "a lighthouse at dusk", "--num-images", "2", "--seed", "42",
        "--resolution", "1280x768", "--rendering-speed", "TURBO", "--magic-prompt", "OFF",
        "--negative-prompt", "blurry", "--color-palette", "#AABBCC:0.8,#112233:0.3",
        "--style-codes", "AABBCCDD", "--style-codes", "11223344", "--out", out,
        env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    summary = succeeded(result)
    assert summary["operation"] == "generate"
    images = saved_images(summary, out, 2)
    assert [entry["seed"] for entry, _ in images] == [42, 43]
    assert all(img.size == (1280, 768) for _, img in images)
    assert images[0][1].tobytes() != images[1][1].tobytes()

    stats = sandbox.stats()
    assert stats["requests_seen"] == {"/v1/ideogram-v3/generate": 1}
    assert stats["image_requests"] == 2 and stats["image_requests_with_api_key"] == 0
    fields = stats["last_request_fields"]
    assert fields["style_codes"] == ["AABBCCDD", "11223344"]  # repeated form fields
    assert json.loads(fields["color_palette"]) == {
        "members": [{"color_hex": "#AABBCC", "color_weight": 0.8}, {"color_hex": "#112233", "color_weight": 0.3}]
    }
    assert {k: fields[k] for k in ("prompt", "num_images", "seed", "resolution", "rendering_speed")} == {
        "prompt": "a lighthouse at dusk",
        "num_images": "2",
        "seed": "42",
        "resolution": "1280x768",
        "rendering_speed": "TURBO",
    }
    assert fields["magic_prompt"] == "OFF" and fields["negative_prompt"] == "blurry"


def test_generate_transparent(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "generate-transparent", "--prompt", "a sticker of a fox", "--aspect-ratio", "1x1",
        "--rendering-speed", "TURBO", "--out", out, env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    ((_, img),) = saved_images(succeeded(result), out, 1)
    assert img.width == img.height
    assert img.mode == "RGBA"
    low, high = img.getchannel("A").getextrema()
    assert low == 0 and high == 255  # a transparent background around an opaque subject


def test_edit_changes_exactly_the_black_part_of_the_mask(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "edit", "--image", "source.png", "--mask", "mask.png", "--prompt", "a red balloon",
        "--out", out, env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    ((_, img),) = saved_images(succeeded(result), out, 1)
    assert img.size == SOURCE_SIZE
    source = Image.open(workdir / "source.png").convert("RGB")
    diff = ImageChops.difference(img.convert("RGB"), source).convert("L").point(lambda v: 255 if v else 0)
    assert diff.getbbox() == MASK_BOX  # nothing outside the black box changed...
    assert diff.crop(MASK_BOX).getextrema() == (255, 255)  # ...and every pixel inside it did
    # Local file names are not sent (issue 20): every image part has a neutral name.
    assert sandbox.stats()["last_request_files"] == {"image": ["image.png"], "mask": ["image.png"]}


def test_remix(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "remix", "--image", "source.png", "--prompt", "the same scene at night", "--image-weight", "70",
        "--aspect-ratio", "1x1", "--out", out, env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    ((_, img),) = saved_images(succeeded(result), out, 1)
    assert img.width == img.height
    assert sandbox.stats()["last_request_fields"]["image_weight"] == "70"


def test_reframe_answers_at_the_chosen_resolution(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "reframe", "--image", "source.png", "--resolution", "1536x640", "--rendering-speed", "TURBO",
        "--out", out, env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    ((_, img),) = saved_images(succeeded(result), out, 1)
    assert img.size == (1536, 640)


def test_replace_background(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "replace-background", "--image", "source.png", "--prompt", "on a beach", "--out", out,
        env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    ((_, img),) = saved_images(succeeded(result), out, 1)
    assert img.size == SOURCE_SIZE


def test_describe(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli("describe", "--image-file", "source.png", "--out", out, env=cli_env(sandbox), cwd=workdir)
    summary = succeeded(result)
    descriptions = summary["descriptions"]
    assert descriptions and all(isinstance(d, str) and d.strip() for d in descriptions), descriptions
    assert "images" not in summary
    assert not out.exists() or not any(out.iterdir())
    assert sandbox.stats()["requests_seen"] == {"/describe": 1}


def test_upscale(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "upscale", "--image-file", "source.png", "--resemblance", "60", "--detail", "70", "--out", out,
        env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    ((_, img),) = saved_images(succeeded(result), out, 1)
    assert img.width > SOURCE_SIZE[0] and img.height > SOURCE_SIZE[1]
    assert img.width * SOURCE_SIZE[1] == img.height * SOURCE_SIZE[0]  # same shape
    # The upscale form carries its options as one JSON part.
    assert json.loads(sandbox.stats()["last_request_fields"]["image_request"]) == {
        "resemblance": 60,
        "detail": 70,
        "num_images": 1,
    }


def test_layerize_text(sandbox: SandboxServer, workdir: Path) -> None:
    out = workdir / "out"
    result = run_cli(
        "layerize-text", "--image", "source.png", "--prompt", "SALE", "--out", out,
        env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    summary = succeeded(result)
    blocks = summary["text_blocks"]
    assert blocks and blocks[0]["text"] == "SALE"
    base = Path(summary["base_image"])
    base = base if base.is_absolute() else workdir / base
    assert base.parent.resolve() == out.resolve()
    assert png_size(base) == SOURCE_SIZE


# ---- error paths ---------------------------------------------------------------------------


def test_an_invalid_request_exits_2_and_sends_nothing(sandbox: SandboxServer, workdir: Path) -> None:
    result = run_cli(
        "generate", "--prompt", "too many", "--num-images", "9", "--out", workdir / "out",
        env=cli_env(sandbox), cwd=workdir,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: num_images") and "nothing was sent" in line, line
    assert sandbox.api_requests_seen() == 0
    assert not (workdir / "out").exists()


def test_a_file_that_is_not_an_image_exits_2_and_sends_nothing(sandbox: SandboxServer, workdir: Path) -> None:
    result = run_cli(
        "remix", "--image", "notes.png", "--prompt", "x", "--out", workdir / "out", env=cli_env(sandbox), cwd=workdir
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: image") and "notes.png" in line and "not an image" in line, line
    assert sandbox.api_requests_seen() == 0


def test_a_server_failure_exits_1_after_bounded_retries(sandbox: SandboxServer, workdir: Path) -> None:
    sandbox.inject({"kind": "status", "status_code": 500, "endpoint": "generate"})
    result = run_cli("generate", "--prompt", "a kite", "--out", workdir / "out", env=cli_env(sandbox), cwd=workdir)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    (line,) = error_lines(result)
    assert "HTTP 500" in line and "try again" in line, result.stderr
    attempts = RetryPolicy().attempts
    retries = [x for x in result.stderr.splitlines() if x.startswith("note:") and "Retrying" in x]
    assert len(retries) == attempts - 1, result.stderr
    assert sandbox.stats()["requests_seen"] == {"/v1/ideogram-v3/generate": attempts}
    assert not (workdir / "out").exists()


def test_no_key_for_the_real_service_is_refused_before_any_connection(tmp_path: Path, workdir: Path) -> None:
    env = cli_env(None, IDEOGRAM_API_KEY=None, IDEOGRAM_API_BASE="https://api.ideogram.ai")
    result = run_cli("generate", "--prompt", "a kite", env=env, cwd=workdir, guard_network=True)
    assert NETWORK_ATTEMPT not in result.stderr, result.stderr
    assert result.returncode != 0
    assert result.stdout == ""
    (line,) = error_lines(result)
    assert "API key" in line and "IDEOGRAM_API_KEY" in line, line


def test_the_network_guard_does_catch_a_connection(sandbox: SandboxServer, workdir: Path) -> None:
    """The control for the test above: the same guard, a request that must connect."""
    result = run_cli("generate", "--prompt", "a kite", env=cli_env(sandbox), cwd=workdir, guard_network=True)
    assert result.returncode != 0
    assert NETWORK_ATTEMPT in result.stderr
    assert sandbox.api_requests_seen() == 0
