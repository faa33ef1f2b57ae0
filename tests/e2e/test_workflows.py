"""End to end, in a real X window against `ideogram-sandbox` on 127.0.0.1, with real X input:
paint a mask and send an Edit; generate, remix, search, tag, follow the lineage, delete, undo.
Screenshots are kept as artifacts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from ideogram_studio.gallery import Gallery

from .helpers import SandboxServer
from .helpers import run_driver as run_flow

pytestmark = pytest.mark.e2e


def test_paint_a_mask_and_send_an_edit(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, artifacts_dir: Path
) -> None:
    source = tmp_path / "source.png"
    img = Image.linear_gradient("L").resize((320, 200)).convert("RGB")
    img.save(source)
    home = tmp_path / "home"
    report = run_flow("edit", home, sandbox_server.url, artifacts_dir, str(source))
    assert report["job_state"] == "done" and report["coverage"] > 0
    with Gallery.open(home / "data" / "IdeogramStudio") as gallery:
        result = Image.open(io.BytesIO(gallery.read_bytes(str(report["result"])))).convert("RGB")
        mask = Image.open(io.BytesIO(gallery.read_bytes(str(report["mask"])))).convert("L")
        sent = Image.open(io.BytesIO(gallery.read_bytes(str(report["source"])))).convert("RGB")
    assert mask.size == result.size == (320, 200)
    values = {v for _, v in mask.getcolors(256) or []}
    assert values <= {0, 255} and 0 in values  # black = the painted part, nothing grey
    keep = mask.point(lambda v: 255 if v == 255 else 0)
    outside = ImageChops.multiply(ImageChops.difference(result, sent).convert("L"), keep)
    assert outside.getbbox() is None, "pixels outside the painted mask changed"
    inside = ImageChops.difference(result, sent).convert("L").point(lambda v: 255 if v else 0)
    assert inside.getbbox() is not None, "nothing changed inside the mask"
    assert (artifacts_dir / "02-edit-result.png").exists()


def test_generate_remix_search_tag_lineage_delete_undo(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, artifacts_dir: Path
) -> None:
    home = tmp_path / "home"
    report = run_flow("library", home, sandbox_server.url, artifacts_dir)
    assert report["search_rows"] == 1
    assert "winter" in report["tags"]  # type: ignore[operator]
    assert report["followed_to"] == report["generated"]
    assert report["trashed"] and report["restored"]
    with Gallery.open(home / "data" / "IdeogramStudio") as gallery:
        parents = gallery.parents(str(report["remixed"]))
        assert [p.parent for p in parents if p.role == "image"] == [report["generated"]]
        assert gallery.get(str(report["generated"])).trashed_at is None  # type: ignore[union-attr]
    for name in ("01-remixed", "02-searched", "03-tagged", "04-lineage-parent", "05-deleted", "06-undone"):
        assert (artifacts_dir / f"{name}.png").exists(), name


def test_a_two_by_two_prompt_variable_batch_lands_tagged_with_its_rows(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, artifacts_dir: Path
) -> None:
    home = tmp_path / "home"
    report = run_flow("batch", home, sandbox_server.url, artifacts_dir)
    assert "4 requests · 4 images" in str(report["summary"])
    jobs = report["jobs"]
    assert isinstance(jobs, list)
    assert sorted((j["prompt"], j["row"]) for j in jobs) == [
        ("a blue mug", 3), ("a blue poster", 4), ("a red mug", 1), ("a red poster", 2),
    ]
    assert all(j["state"] == "done" and len(j["results"]) == 1 for j in jobs)
    with Gallery.open(home / "data" / "IdeogramStudio") as gallery:
        for j in jobs:
            image = j["results"][0]
            assert "batch Mugs e2e" in gallery.get(image).tags
            meta = gallery.metadata(image)
            assert meta["response"]["batch"] == "Mugs e2e" and meta["response"]["batch_row"] == j["row"]


def test_expand_drag_the_text_box_to_the_top_third_generate_and_find_it_in_the_library(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, artifacts_dir: Path
) -> None:
    home = tmp_path / "home"
    report = run_flow("layout", home, sandbox_server.url, artifacts_dir)
    before, after = report["text_bbox_before"], report["text_bbox_after"]
    assert isinstance(before, list) and isinstance(after, list)
    assert before[0] > 666 and after[2] <= 333  # from the bottom third to the top third
    assert after[3] - after[1] == before[3] - before[1]  # moved, not resized
    assert report["job_state"] == "done" and report["found"] == report["result"]
    with Gallery.open(home / "data" / "IdeogramStudio") as gallery:
        meta = gallery.metadata(str(report["result"]))
        picture = Image.open(io.BytesIO(gallery.read_bytes(str(report["result"])))).convert("RGB")
    # The result keeps its structured prompt: what was sent, and the caption the service used.
    sent = meta["request"]["json_prompt"]
    assert sent == report["sent_prompt"]
    text = next(e for e in sent["compositional_deconstruction"]["elements"] if e["type"] == "text")
    assert text["bbox"] == after and text["text"] == "NORTH LIGHT"
    assert json.loads(meta["response"]["prompt"]) == sent
    assert json.loads(str(report["library_prompt"])) == sent  # what the library's detail panel shows
    # The sandbox drew the box where it was dragged (its outline in the element's colour), not where it was.
    ink = tuple(int(text["color_palette"][0][i : i + 2], 16) for i in (1, 3, 5))
    w, h = picture.size
    x = after[1] * w // 1000 + 2
    assert picture.getpixel((x, (after[0] + after[2]) * h // 2000)) == ink
    assert picture.getpixel((x, (before[0] + before[2]) * h // 2000)) != ink
    shots = [f"layout-editor-{t}-{size}" for t in ("light", "dark") for size in ("1280x720", "1920x1080")]
    for name in (*shots, "layout-found-in-library"):
        assert (artifacts_dir / f"{name}.png").exists(), name
