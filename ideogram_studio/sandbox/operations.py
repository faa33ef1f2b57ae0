"""What each endpoint does to pixels, kept testable:

- inpaint: pixels where the mask is white (>= 128) are the source's, exactly; every black pixel
  changes (the Ideogram polarity: black = change, white = keep).
- remix: a blend of the source (cropped to the target aspect, resized) and a fresh picture; the
  source's share is image_weight / 100.
- reframe: the source, scaled to fit and centred, on a canvas of the requested size; the new area is
  filled from the source's own colours.
- replace background: subject pixels are kept exactly; the rest is a fresh picture. The subject is
  the opaque part if the source has alpha; else the pixels far from the dominant border colour;
  if that finds almost nothing or almost everything, a central ellipse.
- upscale: a larger copy, sharpened by `detail`.
- describe / layerize: plain facts read from the pixels (size, dominant colours).
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from .palettes import RGB, luminance, to_hex
from .render import Box, draw_label

#: A channel difference above this (of 255) sets a pixel apart from the background colour.
SUBJECT_THRESHOLD = 48
#: A detected subject covering less or more of the image than this is not believed.
SUBJECT_SHARE = (0.01, 0.9)
#: Inpaint treats a mask value at or above this as white (keep).
MASK_KEEP_FROM = 128


def has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info


def working_copy(img: Image.Image) -> Image.Image:
    """The source as RGB, or RGBA when it has transparency (so kept pixels keep their alpha)."""
    return img.convert("RGBA" if has_alpha(img) else "RGB")


def inpaint(source: Image.Image, mask: Image.Image, fresh: Image.Image) -> Image.Image:
    src = working_copy(source)
    change = mask.convert("L").point(lambda v: 255 if v < MASK_KEEP_FROM else 0)
    src_rgb = src.convert("RGB")
    fresh_rgb = fresh.convert("RGB")
    # Wherever the fresh picture happens to equal the source, use the source's inverse
    # (255 - v never equals v), so every pixel the mask marks really changes.
    same = ImageChops.difference(fresh_rgb, src_rgb).convert("L").point(lambda v: 255 if v == 0 else 0)
    fresh_rgb = Image.composite(ImageChops.invert(src_rgb), fresh_rgb, same)
    bbox = change.getbbox()
    if bbox is not None:
        draw_label(fresh_rgb, bbox)
    return Image.composite(fresh_rgb.convert(src.mode), src, change)


def remix(source: Image.Image, fresh: Image.Image, image_weight: int) -> Image.Image:
    fitted = ImageOps.fit(source.convert("RGB"), fresh.size, Image.Resampling.BICUBIC)
    out = Image.blend(fresh.convert("RGB"), fitted, image_weight / 100)
    draw_label(out)
    return out


def reframe(source: Image.Image, size: tuple[int, int], fill: Image.Image | None = None) -> Image.Image:
    """`fill` (optional) is blended into the new area, e.g. a picture in the requested palette."""
    src = working_copy(source)
    w, h = size
    # Outpainting stand-in: the source stretched to cover the canvas and blurred away (a tiny
    # thumbnail scaled up is a cheap strong blur).
    tiny = ImageOps.fit(src.convert("RGB"), (max(1, w // 48), max(1, h // 48)), Image.Resampling.BOX)
    canvas = tiny.resize(size, Image.Resampling.BICUBIC)
    if fill is not None:
        canvas = Image.blend(canvas, fill.convert("RGB"), 0.4)
    scaled = ImageOps.contain(src, size, Image.Resampling.BICUBIC)
    left, top = (w - scaled.width) // 2, (h - scaled.height) // 2
    canvas.paste(scaled, (left, top), scaled if scaled.mode == "RGBA" else None)
    margins: list[Box] = [(0, 0, w, top), (0, 0, left, h)]
    draw_label(canvas, max(margins, key=lambda b: min(b[2] - b[0], b[3] - b[1])))
    return canvas


def replace_background(source: Image.Image, background: Image.Image) -> Image.Image:
    src = working_copy(source)
    subject = subject_mask(source)
    return Image.composite(src, background.convert(src.mode), subject)


def subject_mask(source: Image.Image) -> Image.Image:
    """"L" mask, 255 on the subject (see the module's docstring for the rule)."""
    if has_alpha(source):
        return source.convert("RGBA").getchannel("A").point(lambda v: 255 if v > 0 else 0)
    rgb = source.convert("RGB")
    border = border_colour(rgb)
    diff = ImageChops.difference(rgb, Image.new("RGB", rgb.size, border))
    r, g, b = diff.split()
    farthest = ImageChops.lighter(ImageChops.lighter(r, g), b)
    subject = farthest.point(lambda v: 255 if v > SUBJECT_THRESHOLD else 0)
    share = subject.histogram()[255] / (rgb.width * rgb.height)
    if SUBJECT_SHARE[0] <= share <= SUBJECT_SHARE[1]:
        return subject
    return central_ellipse(rgb.size)


def central_ellipse(size: tuple[int, int]) -> Image.Image:
    w, h = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((w * 0.2, h * 0.15, w * 0.8, h * 0.9), fill=255)
    return mask


def border_colour(rgb: Image.Image) -> RGB:
    """The per-channel median of a thin frame around the image."""
    w, h = rgb.size
    thickness = max(1, min(w, h) // 50)
    frame = Image.new("L", rgb.size, 255)
    if w > 2 * thickness and h > 2 * thickness:
        ImageDraw.Draw(frame).rectangle((thickness, thickness, w - 1 - thickness, h - 1 - thickness), fill=0)
    r, g, b = (int(v) for v in ImageStat.Stat(rgb, frame).median)
    return r, g, b


def upscale(source: Image.Image, size: tuple[int, int], detail: int, note: str) -> Image.Image:
    out = working_copy(source).resize(size, Image.Resampling.BICUBIC)
    out = out.filter(ImageFilter.UnsharpMask(radius=2, percent=detail * 2, threshold=2))
    draw_label(out, note=note)
    return out


# ---- reading images ----------------------------------------------------------------------

COLOUR_NAMES: dict[str, RGB] = {
    "black": (20, 20, 20), "charcoal": (64, 64, 64), "grey": (128, 128, 128), "silver": (192, 192, 192),
    "white": (245, 245, 245), "red": (200, 30, 30), "maroon": (110, 20, 30), "orange": (240, 130, 30),
    "gold": (230, 190, 40), "yellow": (250, 230, 60), "olive": (120, 120, 40), "green": (50, 160, 60),
    "forest green": (30, 80, 40), "teal": (30, 140, 140), "cyan": (60, 210, 230), "sky blue": (120, 180, 240),
    "blue": (40, 80, 210), "navy": (20, 30, 90), "purple": (120, 50, 170), "lavender": (190, 160, 230),
    "pink": (240, 140, 180), "magenta": (210, 40, 160), "brown": (120, 75, 40), "beige": (225, 205, 170),
}


def colour_name(rgb: RGB) -> str:
    return min(COLOUR_NAMES, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOUR_NAMES[n], rgb, strict=True)))


def dominant_colours(img: Image.Image, count: int = 4) -> list[RGB]:
    """The most common colours, most common first (a quantised thumbnail, so it is quick)."""
    small = img.convert("RGB").resize((64, 64), Image.Resampling.BOX)
    quantised = small.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette: list[int] = quantised.getpalette() or []
    # A "P" image's colours are palette indices; most frequent first.
    indices = [i for _, i in sorted(quantised.getcolors() or [], reverse=True) if isinstance(i, int)]
    return [(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]) for i in indices]


def describe(img: Image.Image) -> str:
    w, h = img.size
    shape = "square" if abs(w - h) <= max(w, h) * 0.05 else ("landscape" if w > h else "portrait")
    names: list[str] = []
    for rgb in dominant_colours(img):
        name = colour_name(rgb)
        if name not in names:
            names.append(name)
    brightness = ImageStat.Stat(img.convert("L")).mean[0]
    mood = "bright, airy" if brightness > 170 else "dark, moody" if brightness < 80 else "balanced"
    main, *rest = names
    accents = f", with {' and '.join(rest[:2])} accents" if rest else ""
    transparent = " on a transparent background" if has_alpha(img) else ""
    return f"A {shape} {w}x{h} image dominated by {main}{accents}{transparent}; {mood} tones overall."


def erase_text_block(img: Image.Image, box: Box) -> Image.Image:
    """A copy with `box` painted over in the surrounding colour (the sandbox's "text removal")."""
    out = working_copy(img)
    fill = dominant_colours(out.crop(box))[0] if box[2] > box[0] and box[3] > box[1] else (0, 0, 0)
    ImageDraw.Draw(out).rectangle(box, fill=(*fill, 255) if out.mode == "RGBA" else fill)
    return out


def contrasting_hex(img: Image.Image) -> str:
    main = dominant_colours(img)[0]
    return to_hex((16, 16, 16) if luminance(main) > 128 else (240, 240, 240))
