"""Layered files a designer finishes in Photoshop, Affinity, Krita or Illustrator: a PSD (written by
psd-tools) and an SVG with live text, from a layerized image's base and text blocks; and any image as
a PSD with its edit mask as a layer.

psd-tools cannot create live type layers, so each text block is rendered on its own pixel layer, placed
where the service found it and named with its text, font, size and colour (enough to retype it in the
matched font). The SVG keeps the text live. Files are written beside their target and moved into
place only once complete: a full disk or an unwritable folder leaves no partial file.
"""

from __future__ import annotations

import base64
import io
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageColor, ImageDraw, ImageFont

#: Longest piece of a block's text kept in its layer name (Photoshop shows ~250 characters).
NAME_TEXT_CHARS = 60
#: A text block's layer is at most this many times the image's side (a damaged block stays bounded).
MAX_BLOCK_SCALE = 2
BASE_LAYER = "Base image (text removed)"
IMAGE_LAYER = "Image"
MASK_LAYER = "Mask (black = edited)"


class LayeredExportError(Exception):
    """A layered file could not be written; `message` says why in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TextBlock:
    """One text block of a layerize answer, as the service describes it (pixels of the image)."""

    text: str
    x: int
    y: int
    width: int
    height: int
    font_name: str
    font_alternatives: tuple[str, ...]
    font_size: int
    colour: tuple[int, int, int]
    alignment: str = "left"
    angle: float = 0.0

    @classmethod
    def from_json(cls, obj: object) -> TextBlock | None:
        """The block, or None when it cannot be placed (no text, no box): such blocks are left out."""
        if not isinstance(obj, dict):
            return None
        text = obj.get("text")
        box = [obj.get(k) for k in ("x", "y", "width", "height")]
        if not isinstance(text, str) or not text.strip() or not all(_is_number(v) for v in box):
            return None
        x, y, w, h = (round(float(v)) for v in box)  # type: ignore[arg-type]
        if w <= 0 or h <= 0:
            return None
        alternatives = obj.get("font_alternatives")
        return cls(
            text=text,
            x=x,
            y=y,
            width=w,
            height=h,
            font_name=str(obj.get("font_name") or "").strip() or "sans-serif",
            font_alternatives=tuple(str(a) for a in alternatives if isinstance(a, str))
            if isinstance(alternatives, list)
            else (),
            font_size=max(1, round(float(obj["font_size"]))) if _is_number(obj.get("font_size")) else h,
            colour=_colour(obj.get("color")),
            alignment=str(obj.get("alignment") or "left"),
            angle=float(obj["angle"]) if _is_number(obj.get("angle")) else 0.0,
        )

    @property
    def colour_hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.colour)

    def layer_name(self) -> str:
        """ "Summer sale — Inter 48 px #212121": the text and how to set it again."""
        text = " ".join(self.text.split())
        if len(text) > NAME_TEXT_CHARS:
            text = text[: NAME_TEXT_CHARS - 1] + "…"
        return f"{text} — {self.font_name} {self.font_size} px {self.colour_hex}"


def text_blocks(raw: object) -> list[TextBlock]:
    """The placeable blocks of a stored `text_blocks` list (anything else gives none)."""
    if not isinstance(raw, list):
        return []
    return [b for b in (TextBlock.from_json(item) for item in raw) if b is not None]


def render_block(block: TextBlock, canvas: tuple[int, int]) -> tuple[Image.Image, int, int]:
    """The block's text on a transparent layer: (image, left, top) in the canvas's pixels."""
    limit = MAX_BLOCK_SCALE * max(canvas)
    width, height = min(block.width, limit), min(block.height, limit)
    font = ImageFont.load_default(size=min(block.font_size, limit))
    # The glyphs as coverage, then the colour under it: every pixel has the block's exact colour and
    # the edges fade by alpha alone (drawing onto transparent black would give the text a dark fringe).
    coverage = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(coverage)
    anchor, x = {"center": ("ma", width / 2), "right": ("ra", float(width))}.get(block.alignment, ("la", 0.0))
    align = block.alignment if block.alignment in ("left", "center", "right") else "left"
    draw.multiline_text((x, 0), block.text, font=font, fill=255, anchor=anchor, align=align)
    layer = Image.new("RGBA", (width, height), (*block.colour, 0))
    layer.putalpha(coverage)
    left, top = block.x, block.y
    if block.angle:
        rotated = layer.rotate(-block.angle, expand=True, resample=Image.Resampling.BICUBIC)
        left -= (rotated.width - width) // 2
        top -= (rotated.height - height) // 2
        layer = rotated
    return layer, left, top


def write_layered_psd(
    path: Path, base: Image.Image, blocks: Sequence[TextBlock], *, mask: Image.Image | None = None
) -> None:
    """Base image + one named layer per text block (+ the mask, hidden) as a PSD at `path`."""
    from psd_tools import PSDImage
    from psd_tools.api.layers import PixelLayer

    base = _rgb_or_rgba(base)

    def write(target: Path) -> None:
        psd = PSDImage.new("RGBA", base.size)  # RGB with layer transparency (text, cut-outs)
        psd.append(PixelLayer.frompil(base, psd, name=BASE_LAYER if blocks else IMAGE_LAYER, top=0, left=0))
        for block in blocks:
            layer, left, top = render_block(block, base.size)
            psd.append(PixelLayer.frompil(layer, psd, name=block.layer_name(), top=top, left=left))
        if mask is not None:
            if mask.size != base.size:
                raise LayeredExportError(
                    f"The mask is {mask.width}×{mask.height} but the image is {base.width}×{base.height}."
                )
            shown = PixelLayer.frompil(mask.convert("L").convert("RGB"), psd, name=MASK_LAYER, top=0, left=0)
            shown.visible = False  # the file opens looking like the image; the mask is one click away
            psd.append(shown)
        psd.save(str(target))

    _write_atomically(path, write)


def write_svg(path: Path, base_png: bytes, size: tuple[int, int], blocks: Iterable[TextBlock]) -> None:
    """The base image with every text block as live, editable SVG text in its matched font."""
    width, height = size
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'  <image width="{width}" height="{height}" href="data:image/png;base64,'
        f'{base64.b64encode(base_png).decode("ascii")}"/>',
    ]
    for block in blocks:
        anchor, x = {"center": ("middle", block.x + block.width / 2), "right": ("end", block.x + block.width)}.get(
            block.alignment, ("start", float(block.x))
        )
        families = ", ".join(_font_family(f) for f in (block.font_name, *block.font_alternatives)) + ", sans-serif"
        transform = ""
        if block.angle:
            cx, cy = block.x + block.width / 2, block.y + block.height / 2
            transform = f' transform="rotate({block.angle:g} {cx:g} {cy:g})"'
        lines.append(
            f"  <text x={quoteattr(f'{x:g}')} y={quoteattr(str(block.y + block.font_size))}"
            f" font-family={quoteattr(families)} font-size={quoteattr(str(block.font_size))}"
            f' fill="{block.colour_hex}" text-anchor="{anchor}"{transform}>{escape(_xml_text(block.text))}</text>'
        )
    lines.append("</svg>")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    _write_atomically(path, lambda target: target.write_bytes(data))


def open_image(data: bytes) -> Image.Image:
    """A stored image's pixels, fully decoded (a damaged file says so in words)."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LayeredExportError(f"The image could not be read ({exc}).") from exc
    return image


# ---- helpers ------------------------------------------------------------------------------------------
def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    folder = path.parent
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise LayeredExportError(f"The folder {folder} cannot be written ({_reason(exc)}).") from exc
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        reason = _reason(exc)
        raise LayeredExportError(f"{path.name} could not be written ({reason}); nothing was left behind.") from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _reason(exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no permission to write there"
    return exc.strerror or str(exc)


def _rgb_or_rgba(image: Image.Image) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _colour(value: object) -> tuple[int, int, int]:
    if isinstance(value, str):
        try:
            r, g, b = ImageColor.getrgb(value.strip())[:3]
            return r, g, b
        except ValueError:
            pass
    return 0, 0, 0


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _xml_text(text: str) -> str:
    """The text without the control characters XML cannot hold (they would make the file unreadable)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def _font_family(name: str) -> str:
    """A CSS font family: quoted, with quotes and backslashes taken out (the name is the service's text)."""
    clean = "".join(ch for ch in name if ch not in "'\"\\;{}<>").strip()
    return f"'{clean}'" if clean else "sans-serif"
