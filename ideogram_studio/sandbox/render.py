"""Deterministic pictures drawn with Pillow: a gradient, shapes in the palette's colours, the prompt
and style written on a panel, and a "SANDBOX" badge so nobody mistakes one for a real result.

Every choice comes from a `random.Random` seeded with the seed and the scene's key (a str seed is
hashed with SHA-512, so it is stable across processes, unlike `hash()`). Only whole-image Pillow
operations are used, no per-pixel Python: a 1024x1024 picture takes a few milliseconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

from .palettes import RGB, Colours, luminance

Box = tuple[int, int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

LABEL_TEXT = "SANDBOX"
LABEL_INK: RGB = (255, 214, 0)
LABEL_BACKGROUND: RGB = (0, 0, 0)
#: Longest prompt drawn; the rest would not fit on the panel anyway.
MAX_DRAWN_PROMPT = 400
MAX_PROMPT_LINES = 3
#: Below this many pixels on the shorter side the prompt panel does not fit.
MIN_PANEL_SIDE = 48


@dataclass(frozen=True)
class Scene:
    """What a picture shows, apart from the seed."""

    prompt: str
    #: Second line of the panel: style preset, style type and the like.
    caption: str
    colours: Colours
    #: Everything else that should change the picture (the request's fields, its files' digests).
    key: str


def render_scene(
    scene: Scene, size: tuple[int, int], seed: int, *, transparent: bool = False, text: bool = True
) -> Image.Image:
    """An RGB picture (RGBA with a transparent background when `transparent`)."""
    rng = random.Random(f"{seed}|{scene.key}")
    img = Image.new("RGBA", size, (0, 0, 0, 0)) if transparent else _background(size, scene.colours, rng)
    draw = ImageDraw.Draw(img)
    _draw_shapes(draw, size, scene.colours, rng, central=transparent)
    # A picture too small for the panel (a 1×1 source answered 500 here) is drawn without it.
    if text and min(size) >= MIN_PANEL_SIDE:
        _draw_panel(draw, size, scene, seed)
        draw_label(img)
    return img


def draw_label(img: Image.Image, box: Box | None = None, note: str | None = None) -> None:
    """Write the SANDBOX badge in the top-left corner of `box` (default: the whole image)."""
    x0, y0, x1, y1 = box or (0, 0, img.width, img.height)
    side = min(x1 - x0, y1 - y0)
    if side < 8:
        return
    size = max(8, side // 12)
    font = _font(size)
    margin = max(1, size // 4)
    text = LABEL_TEXT if note is None else f"{LABEL_TEXT}  {note}"
    width = int(font.getlength(text))
    draw = ImageDraw.Draw(img)
    left, top = x0 + margin, y0 + margin
    draw.rectangle(
        (left, top, left + width + 2 * margin, top + size + 2 * margin), fill=_ink(img, LABEL_BACKGROUND)
    )
    # A thin stroke in the text colour makes the default font read as bold.
    draw.text(
        (left + margin, top + margin),
        text,
        font=font,
        fill=_ink(img, LABEL_INK),
        stroke_width=max(1, size // 24),
        stroke_fill=_ink(img, LABEL_INK),
    )


def gradient_mask(size: tuple[int, int], kind: str) -> Image.Image:
    """An "L" ramp from 0 to 255: vertical, horizontal, diagonal or radial."""
    return _gradient_base(kind).resize(size, Image.Resampling.BILINEAR)


# ---- pieces -------------------------------------------------------------------------------


def _background(size: tuple[int, int], colours: Colours, rng: random.Random) -> Image.Image:
    start = colours.darkest()
    end = rng.choice([c for c in colours.colours if c != start] or [colours.lightest()])
    kind = rng.choice(("vertical", "horizontal", "diagonal", "radial"))
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), gradient_mask(size, kind))


def _draw_shapes(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    colours: Colours,
    rng: random.Random,
    *,
    central: bool,
) -> None:
    w, h = size
    side = min(w, h)
    # A transparent picture is a subject on nothing: keep the shapes off the edges.
    lo_x, hi_x, lo_y, hi_y = (0.3 * w, 0.7 * w, 0.25 * h, 0.6 * h) if central else (0.0, w, 0.0, h)
    for _ in range(rng.randint(5, 9)):
        colour = _ink_for(draw, rng.choices(colours.colours, colours.weights)[0])
        cx, cy = rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y)
        r = rng.uniform(0.05, 0.2 if central else 0.28) * side
        box = (cx - r, cy - r * rng.uniform(0.6, 1.4), cx + r, cy + r * rng.uniform(0.6, 1.4))
        box = (box[0], min(box[1], box[3]), box[2], max(box[1], box[3]))
        shape = rng.choice(("ellipse", "rectangle", "polygon", "ring"))
        if shape == "ellipse":
            draw.ellipse(box, fill=colour)
        elif shape == "rectangle":
            draw.rounded_rectangle(box, radius=r * rng.uniform(0, 0.4), fill=colour)
        elif shape == "polygon":
            draw.regular_polygon((cx, cy, r), rng.randint(3, 7), rotation=rng.uniform(0, 360), fill=colour)
        else:
            draw.ellipse(box, outline=colour, width=max(2, int(r * 0.18)))


def _draw_panel(draw: ImageDraw.ImageDraw, size: tuple[int, int], scene: Scene, seed: int) -> None:
    """The prompt and the caption on a dark panel along the bottom."""
    w, h = size
    side = min(w, h)
    pad = max(4, side // 25)
    font = _font(max(10, side // 30))
    small = _font(max(8, side // 44))
    line_height = int(_font_size(font) * 1.25)
    lines = _wrap(scene.prompt[:MAX_DRAWN_PROMPT], font, w - 4 * pad) or [""]
    if len(lines) > MAX_PROMPT_LINES:
        lines = [*lines[: MAX_PROMPT_LINES - 1], lines[MAX_PROMPT_LINES - 1] + " …"]
    panel_height = line_height * len(lines) + int(_font_size(small) * 1.4) + 2 * pad
    top = h - pad - panel_height
    dark, light = scene.colours.darkest(), scene.colours.lightest()
    if luminance(light) - luminance(dark) < 96:  # a low-contrast palette: fall back to black on white
        dark, light = (16, 16, 16), (245, 245, 245)
    draw.rounded_rectangle((pad, top, w - pad, h - pad), radius=pad // 2, fill=_ink_for(draw, dark))
    y = top + pad
    for line in lines:
        draw.text((2 * pad, y), line, font=font, fill=_ink_for(draw, light))
        y += line_height
    draw.text((2 * pad, y), f"{scene.caption} · seed {seed}", font=small, fill=_ink_for(draw, light))


def _wrap(text: str, font: Font, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.getlength(word) > width and len(word) > 1:  # a word longer than a line: cut it
            cut = max(1, int(len(word) * width / font.getlength(word)))
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{line} {word}" if line else word
        if font.getlength(trial) <= width:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


@lru_cache(maxsize=64)
def _font(size: int) -> Font:
    # Pillow's bundled font, never a system one: the same pixels on every machine.
    return ImageFont.load_default(size)


def _font_size(font: Font) -> int:
    return int(getattr(font, "size", 10))


@lru_cache(maxsize=8)
def _gradient_base(kind: str) -> Image.Image:
    ramp = Image.linear_gradient("L")
    if kind == "vertical":
        return ramp
    if kind == "horizontal":
        return ramp.transpose(Image.Transpose.ROTATE_90)
    if kind == "diagonal":
        return ImageChops.add(ramp, ramp.transpose(Image.Transpose.ROTATE_270), scale=2)
    return Image.radial_gradient("L")


def _ink(img: Image.Image, rgb: RGB) -> tuple[int, ...]:
    return (*rgb, 255) if img.mode == "RGBA" else rgb


def _ink_for(draw: ImageDraw.ImageDraw, rgb: RGB) -> tuple[int, ...]:
    return (*rgb, 255) if draw.mode == "RGBA" else rgb
