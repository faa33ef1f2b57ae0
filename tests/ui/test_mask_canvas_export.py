"""The Qt-free half of the mask canvas: reading mask files and making the PNG the API expects."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.imaging.mask_export import (
    API_CHANGE,
    API_KEEP,
    EMPTY_MASK,
    FULL_MASK,
    MaskFileError,
    MaskRule,
    api_mask,
    api_mask_file,
    api_mask_png,
    binarize,
    change_ratio,
    decode_mask,
    read_mask_file,
    refusal,
)


def values(img: Image.Image) -> set[int]:
    return {v for v, n in enumerate(img.histogram()[:256]) if n}


def coverage_with_bar(width: int = 100, height: int = 60) -> Image.Image:
    cov = Image.new("L", (width, height), 0)
    cov.paste(255, (20, 20, 80, 40))
    return cov


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_api_mask_polarity_threshold_and_format() -> None:
    cov = Image.new("L", (4, 1))
    cov.putdata([0, 127, 128, 255])
    out = api_mask(cov)
    assert out.mode == "L" and out.size == (4, 1)
    assert [out.getpixel((x, 0)) for x in range(4)] == [API_KEEP, API_KEEP, API_CHANGE, API_CHANGE]
    decoded = Image.open(io.BytesIO(api_mask_png(cov)))
    assert decoded.format == "PNG" and decoded.mode == "L" and values(decoded) == {0, 255}
    file = api_mask_file(cov, filename="m.png")
    assert (file.width, file.height, file.mode, file.mime, file.filename) == (4, 1, "L", "image/png", "m.png")


def test_grow_widens_and_feather_smooths_but_both_stay_binary() -> None:
    cov = coverage_with_bar()
    grown = binarize(cov, grow=6)
    assert values(grown) == {0, 255}
    column = [grown.getpixel((50, y)) for y in range(60)]
    painted = [y for y, v in enumerate(column) if v == 255]
    assert 20 - 8 <= painted[0] <= 20 - 4 and 39 + 4 <= painted[-1] <= 39 + 8
    speckled = cov.copy()
    speckled.putpixel((5, 5), 255)  # a lone painted pixel
    smooth = binarize(speckled, feather=4)
    assert values(smooth) == {0, 255}
    assert smooth.getpixel((5, 5)) == 0 and smooth.getpixel((50, 30)) == 255
    assert values(api_mask(cov, grow=3, feather=2)) == {0, 255}


def test_refusal_and_ratio() -> None:
    assert refusal(Image.new("L", (10, 10), 0)) == EMPTY_MASK
    assert refusal(Image.new("L", (10, 10), 127)) == EMPTY_MASK
    assert refusal(Image.new("L", (10, 10), 255)) == FULL_MASK
    assert refusal(coverage_with_bar()) is None
    assert change_ratio(coverage_with_bar()) == pytest.approx(60 * 20 / 6000)
    nearly_full = Image.new("L", (40, 40), 255)
    nearly_full.putpixel((0, 0), 0)
    assert refusal(nearly_full) is None
    assert refusal(nearly_full, grow=4) == FULL_MASK  # judged on what export would send


def test_api_rule_black_is_change() -> None:
    img = Image.new("L", (30, 20), 255)
    img.paste(0, (0, 0, 10, 20))
    img.paste(100, (10, 0, 20, 20))  # dark grey (JPEG-ish) still means change
    cov = decode_mask(png(img), "m.png", MaskRule.API)
    assert cov.getpixel((5, 5)) == 255 and cov.getpixel((15, 5)) == 255 and cov.getpixel((25, 5)) == 0
    assert values(cov) == {0, 255}


def test_api_rule_lays_transparency_on_white() -> None:
    img = Image.new("RGBA", (20, 10), (0, 0, 0, 0))  # transparent black: keeps
    img.paste((0, 0, 0, 255), (0, 0, 5, 10))
    cov = decode_mask(png(img), "m.png", MaskRule.API)
    assert cov.getpixel((2, 2)) == 255 and cov.getpixel((15, 2)) == 0


def test_painted_rule_uses_alpha_or_white() -> None:
    img = Image.new("RGBA", (20, 10), (255, 255, 255, 0))
    img.paste((200, 30, 30, 255), (0, 0, 5, 10))
    cov = decode_mask(png(img), "sel.png", MaskRule.PAINTED)
    assert cov.getpixel((2, 2)) == 255 and cov.getpixel((15, 2)) == 0
    grey = Image.new("L", (20, 10), 0)
    grey.paste(255, (10, 0, 20, 10))
    cov = decode_mask(png(grey), "sel.png", MaskRule.PAINTED)
    assert cov.getpixel((15, 2)) == 255 and cov.getpixel((2, 2)) == 0


def test_sixteen_bit_masks_are_scaled_not_clipped() -> None:
    img = Image.new("I;16", (20, 10), 65535)
    img.paste(0, (0, 0, 5, 10))
    img.paste(20000, (5, 0, 10, 10))  # < half: dark -> change under the API rule
    cov = decode_mask(png(img), "m16.png", MaskRule.API)
    assert [cov.getpixel((x, 2)) for x in (2, 7, 15)] == [255, 255, 0]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"plain text, not an image", "not an image"),
        (png(Image.new("L", (50, 50), 0))[:60], "damaged"),
    ],
)
def test_bad_mask_bytes_give_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(MaskFileError, match=reason):
        decode_mask(data, "mask.png")


def test_bad_mask_paths_give_a_reason(tmp_path: Path) -> None:
    with pytest.raises(MaskFileError, match="does not exist"):
        read_mask_file(tmp_path / "nope.png")
    with pytest.raises(MaskFileError, match="folder"):
        read_mask_file(tmp_path)
