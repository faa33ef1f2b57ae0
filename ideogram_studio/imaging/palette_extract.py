"""Extract a colour palette from an image: its main colours weighted by area. Qt-free."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..api.limits import MAX_COLOR_WEIGHT, MAX_PALETTE_MEMBERS, MIN_COLOR_WEIGHT

#: Longest side the image is reduced to before quantising (nearest neighbour: no blended colours).
SAMPLE_SIDE = 256
#: Colours covering less than this share of the image are dropped as noise.
MIN_SHARE = 0.005


class PaletteExtractError(ValueError):
    """The file could not be read as an image."""


def extract_palette(
    source: str | Path | bytes | Image.Image,
    max_colors: int = MAX_PALETTE_MEMBERS,
) -> list[tuple[str, float]]:
    """The image's main colours as [("#RRGGBB", weight)], the largest area first.

    Weights are proportional to area, normalised so the largest is 1.0, rounded to 0.01 and
    clamped to at least 0.05 (the API's minimum).
    """
    if not 1 <= max_colors <= MAX_PALETTE_MEMBERS:
        raise ValueError(f"max_colors must be between 1 and {MAX_PALETTE_MEMBERS}")
    img = _open(source)
    rgb = _flatten(img)
    if max(rgb.size) > SAMPLE_SIDE:
        scale = SAMPLE_SIDE / max(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.NEAREST)
    quantized = rgb.quantize(colors=max_colors, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    counts: Counter[str] = Counter()
    for count, index in quantized.getcolors(maxcolors=256) or []:
        i = int(index)  # type: ignore[arg-type]  # a palette index for mode "P"
        r, g, b = palette[i * 3 : i * 3 + 3]
        counts[f"#{r:02X}{g:02X}{b:02X}"] += count
    total = sum(counts.values())
    ranked = [(hex_, n) for hex_, n in counts.most_common() if n >= total * MIN_SHARE] or counts.most_common(1)
    ranked = ranked[:max_colors]
    top = ranked[0][1]
    return [
        (hex_, min(MAX_COLOR_WEIGHT, max(MIN_COLOR_WEIGHT, round(n / top, 2))))
        for hex_, n in ranked
    ]


def _open(source: str | Path | bytes | Image.Image) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    name = "image" if isinstance(source, bytes) else Path(source).name
    try:
        fp = io.BytesIO(source) if isinstance(source, bytes) else source
        with Image.open(fp) as img:
            img.load()
            return img.copy()
    except FileNotFoundError:
        raise PaletteExtractError(f"The file {name} does not exist.") from None
    except UnidentifiedImageError:
        raise PaletteExtractError(f"{name} is not an image file.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PaletteExtractError(f"{name} cannot be read as an image ({exc}).") from None


def _flatten(img: Image.Image) -> Image.Image:
    """RGB, with transparent areas composited on white."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")
