"""The CLI's v2 side, run in-process against the built-in sandbox: --model, --json-prompt, --quote,
refusals that send nothing, and the jobs command over the library's journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ideogram_studio.cli import main

from .helpers import mask_bytes, png_bytes

CAPTION = {
    "high_level_description": "A poster",
    "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                          "color_palette": ["#112233"]},
    "compositional_deconstruction": {"background": "cream", "elements": [
        {"type": "text", "bbox": [50, 100, 250, 900], "text": "HELLO", "desc": "headline"}]},
}  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "cap.json").write_text(json.dumps(CAPTION))
    (tmp_path / "bad.json").write_text('{"high_level_description": ')
    (tmp_path / "src.png").write_bytes(png_bytes(320, 320))
    (tmp_path / "mask.png").write_bytes(mask_bytes(320, 320, (40, 40, 200, 200)))
    return tmp_path


def test_quote_prints_the_price_and_sends_nothing(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "generate", "--model", "ideogram-4-5", "--json-prompt", str(files / "cap.json"),
                       "--quality", "high", "--sandbox", "--quote")  # fmt: skip
    assert code == 0 and out["sent"] is False
    quote = out["quote"]
    assert isinstance(quote, dict) and quote["usd"] == "0.1" and quote["qualifier"] == "exact"


def test_a_v2_generation_is_saved_with_its_job(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "precise-edit", "--image", str(files / "src.png"), "--mask", str(files / "mask.png"),
                       "--prompt", "a hat", "--context-window", "0,0,320,320", "--num-images", "4", "--sandbox",
                       "--library", str(files / "lib"), "--out", str(files / "out"))  # fmt: skip
    assert code == 0, out
    job = out["job"]
    assert isinstance(job, dict) and job["state"] == "done" and job["generation_id"]
    images = out["images"]
    assert isinstance(images, list) and len(images) == 4 and all(Path(i["path"]).is_file() for i in images)
    code, listed, _ = run(capsys, "jobs", "list", "--all", "--library", str(files / "lib"), "--sandbox")
    assert code == 0 and [j["state"] for j in listed["jobs"]] == ["done"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["generate", "--model", "ideogram-4-5", "--json-prompt", "{bad}"], "json_prompt: is not valid JSON"),
        (["generate", "--model", "ideogram-4-5", "--json-prompt", "{cap}", "--prompt", "hi"], "not both"),
        (["describe", "--model", "ideogram-4", "--image", "{src}", "--quote"], "no price quote"),
        (["generate", "--prompt", "x", "--quote"], "choose a v2 --model"),
        (["remix", "--model", "ideogram-4", "--image", "{src}", "--prompt", "x", "--image-weight", "300"],
         "image_weight: must be between 1 and 100"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(
    files: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    argv = [a.format(bad=files / "bad.json", cap=files / "cap.json", src=files / "src.png") for a in args]
    code, out, err = run(capsys, *argv, "--sandbox", "--library", str(files / "lib"))
    assert code == 2 and out == {}
    assert said in err and "nothing was sent" in err
    assert not (files / "lib").exists()


def test_magic_prompt_gives_a_structured_prompt_to_reuse(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = files / "magic.json"
    code, out, _ = run(capsys, "magic-prompt", 'a poster that says "HI"', "--sandbox", "--save", str(saved))
    assert code == 0 and json.loads(saved.read_text()) == out["json_prompt"]
    code, again, _ = run(capsys, "generate", "--model", "ideogram-4", "--json-prompt", str(saved), "--sandbox",
                         "--dry-run")  # fmt: skip
    assert code == 0 and again["estimated_cost_usd"] == "0.06" and again["price"] == "local table"
