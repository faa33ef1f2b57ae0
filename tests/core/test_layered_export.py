"""Layerize → a stored base image with its text blocks → a layered PSD (read back with psd-tools:
layer count, names, positions, pixels) and an SVG with live text; any image as a PSD with its mask
as a layer; a full disk or a missing folder leaves no partial file."""

from __future__ import annotations

import base64
import io
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from psd_tools import PSDImage

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.requests import LayerizeTextRequest, Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.layered_files import export_psd, export_svg, stored_text_blocks
from ideogram_studio.imaging.layered_export import (
    BASE_LAYER,
    IMAGE_LAYER,
    MASK_LAYER,
    LayeredExportError,
    TextBlock,
    text_blocks,
    write_layered_psd,
    write_svg,
)
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport

from .helpers import png_bytes, wait_finished
from .small_disk import fill, mounted_tmpfs
from .v2_samples import source

SVG = "{http://www.w3.org/2000/svg}"


def block(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "text": "Summer <sale> & more",
        "x": 20,
        "y": 10,
        "width": 120,
        "height": 30,
        "font_name": "Inter",
        "font_alternatives": ["Helvetica"],
        "font_size": 24,
        "color": "#d02020",
        "alignment": "left",
        "angle": 0,
    }
    base.update(over)
    return base


def base_image(size: tuple[int, int] = (200, 120)) -> Image.Image:
    return Image.new("RGB", size, (20, 140, 60))


def test_blocks_that_cannot_be_placed_are_left_out() -> None:
    raw = [block(), block(text=""), block(width=0), block(x="ten"), "not a block", block(x=float("nan"))]
    found = text_blocks(raw)
    assert [b.text for b in found] == ["Summer <sale> & more"]
    assert text_blocks({"text_blocks": raw}) == []
    parsed = found[0]
    assert parsed.colour == (0xD0, 0x20, 0x20) and parsed.font_size == 24
    assert parsed.layer_name() == "Summer <sale> & more — Inter 24 px #d02020"
    assert TextBlock.from_json(block(color="no colour"))
    assert TextBlock.from_json(block(color="no colour")).colour == (0, 0, 0)  # type: ignore[union-attr]


def test_a_layered_psd_has_the_base_and_one_named_placed_layer_per_block(tmp_path: Path) -> None:
    blocks = text_blocks([block(), block(text="Second line", x=30, y=70, color="#ffffff")])
    target = tmp_path / "poster.psd"
    write_layered_psd(target, base_image(), blocks)
    psd = PSDImage.open(target)
    assert (psd.width, psd.height) == (200, 120)
    layers = list(psd)
    assert [layer.name for layer in layers] == [BASE_LAYER, *(b.layer_name() for b in blocks)]
    assert layers[0].topil().convert("RGB").getpixel((5, 5)) == (20, 140, 60)
    for layer, b in zip(layers[1:], blocks, strict=True):
        left, top, _right, _bottom = layer.bbox
        assert (left, top) == (b.x, b.y)
        raw = layer.topil().convert("RGBA").tobytes()
        inked = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4) if raw[i + 3] > 200]
        assert inked, f"{b.text!r} rendered nothing"
        assert all(p[:3] == b.colour for p in inked)
    # The merged image (what viewers without layers show) has the red text over the green base.
    merged = psd.topil().convert("RGB")
    assert (0xD0, 0x20, 0x20) in {merged.getpixel((x, y)) for x in range(20, 140) for y in range(10, 40)}
    assert not list(tmp_path.glob("*.part"))


def test_any_image_exports_as_psd_with_its_mask_as_a_hidden_layer(tmp_path: Path) -> None:
    mask = Image.new("L", (200, 120), 255)
    mask.paste(0, (50, 40, 150, 80))
    rgba = Image.new("RGBA", (200, 120), (0, 0, 0, 0))  # a cut-out keeps its transparency
    rgba.paste((250, 200, 10, 255), (0, 0, 100, 120))
    target = tmp_path / "cutout.psd"
    write_layered_psd(target, rgba, [], mask=mask)
    psd = PSDImage.open(target)
    image, shown = list(psd)
    assert (image.name, shown.name, shown.visible) == (IMAGE_LAYER, MASK_LAYER, False)
    assert image.topil().getpixel((10, 10)) == (250, 200, 10, 255)
    assert image.topil().getpixel((150, 10))[3] == 0  # type: ignore[index]
    assert shown.topil().convert("L").getpixel((60, 50)) == 0 and shown.topil().convert("L").getpixel((5, 5)) == 255

    with pytest.raises(LayeredExportError, match="mask is 10×10"):
        write_layered_psd(tmp_path / "wrong.psd", rgba, [], mask=Image.new("L", (10, 10)))
    assert not (tmp_path / "wrong.psd").exists() and not list(tmp_path.glob("*.part"))


def test_the_svg_keeps_text_live_and_escaped_over_the_embedded_base(tmp_path: Path) -> None:
    png = png_bytes(200, 120)
    blocks = text_blocks([block(text="Tom & Jerry <b>\x07bold</b>", font_name="Inter'; x: {", alignment="center")])
    target = tmp_path / "poster.svg"
    write_svg(target, png, (200, 120), blocks)
    root = ET.parse(target).getroot()  # well-formed, whatever the service's text held
    assert (root.get("width"), root.get("height")) == ("200", "120")
    href = root.find(f"{SVG}image").get("href")  # type: ignore[union-attr]
    assert base64.b64decode(href.split(",", 1)[1]) == png  # type: ignore[union-attr]
    (text,) = root.findall(f"{SVG}text")
    assert text.text == "Tom & Jerry <b>bold</b>"  # as text, never markup
    assert text.get("text-anchor") == "middle" and text.get("x") == "80"
    assert text.get("fill") == "#d02020" and text.get("font-size") == "24"
    assert text.get("font-family") == "'Inter x:', 'Helvetica', sans-serif"


def test_an_edit_from_the_library_exports_with_its_mask_and_without_blocks(tmp_path: Path) -> None:
    with Gallery.open(tmp_path / "library") as gallery:
        source_hash = gallery.store_input(png_bytes(64, 48), "image").hash
        mask = Image.new("L", (64, 48), 255)
        mask.paste(0, (10, 10, 30, 30))
        out = io.BytesIO()
        mask.save(out, "PNG")
        mask_hash = gallery.store_input(out.getvalue(), "mask").hash
        edit = gallery.store_image(
            png_bytes(64, 48, colour=(1, 2, 3)), operation="edit", request_fields={"prompt": "x"},
            response_fields={"seed": 1}, parents=[source_hash], mask=mask_hash,
        ).hash  # fmt: skip
        assert stored_text_blocks(gallery, edit) == []
        assert export_psd(gallery, edit, tmp_path / "edit.psd") == 2
        image, shown = PSDImage.open(tmp_path / "edit.psd")
        assert (image.name, shown.name) == (IMAGE_LAYER, MASK_LAYER)
        assert shown.topil().convert("L").getpixel((15, 15)) == 0
        assert image.topil().convert("RGB").getpixel((0, 0)) == (1, 2, 3)


def test_a_missing_folder_is_said_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(LayeredExportError, match="cannot be written"):
        write_layered_psd(tmp_path / "gone" / "a.psd", base_image(), [])
    assert not (tmp_path / "gone").exists()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path, "1m") as disk:
        yield disk


def test_a_full_disk_says_so_and_leaves_no_partial_file(small_disk: Path) -> None:
    fill(small_disk, leave=8192)
    noise = Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3))  # ~480 KB that does not compress
    with pytest.raises(LayeredExportError, match="disk is full"):
        write_layered_psd(small_disk / "big.psd", noise, [])
    with pytest.raises(LayeredExportError, match="disk is full"):
        write_svg(small_disk / "big.svg", noise.tobytes(), (400, 400), [])
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast"]


@pytest.mark.parametrize("v2", [False, True], ids=["v1", "v2"])
async def test_a_layerize_job_stores_its_base_image_with_the_text_blocks(tmp_path: Path, v2: bool) -> None:
    app = create_app(SandboxConfig())
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(app)) as client:
        gallery = Gallery.open(tmp_path / "library")
        try:
            queue = JobQueue(client, GalleryJobStore(gallery))
            image = source()
            request = (
                V2Request.build(Operation.LAYERIZE_TEXT, "ideogram-3", {"prompt": "SALE"}, {"image": [image]})
                if v2
                else LayerizeTextRequest(image=image, prompt="SALE")
            )
            job = await queue.submit(request)
            await wait_finished(queue, job.id)
            await queue.aclose()
            assert job.state is JobState.DONE, job.error
            (base_hash,) = job.result_hashes  # downloaded at once: the link expires
            meta = gallery.metadata(base_hash)
            (found,) = text_blocks(meta["response"]["text_blocks"])
            assert found.text == "SALE"
            with Image.open(io.BytesIO(gallery.read_bytes(base_hash))) as base:
                assert base.size == image.pil().size
            (link,) = gallery.parents(base_hash)  # lineage back to the source it was found on
            assert link.role == "image" and link.parent != base_hash

            assert export_psd(gallery, base_hash, tmp_path / "layers.psd") == 2
            psd = PSDImage.open(tmp_path / "layers.psd")
            assert [layer.name for layer in psd][1].startswith("SALE — Aileron ")
            assert export_svg(gallery, base_hash, tmp_path / "layers.svg") == 1
            assert [t.text for t in ET.parse(tmp_path / "layers.svg").getroot().iter(f"{SVG}text")] == ["SALE"]
        finally:
            gallery.close()
