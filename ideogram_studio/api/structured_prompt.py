"""The structured (JSON) prompt of Ideogram 4.x: parse, check, serialise, and convert boxes.

Two levels, as the digest asks:
- `parse` / `check_schema` refuse what breaks the format's schema (not JSON, a missing or unknown
  key, a wrong type, a bbox that is not four integers 0–1000, a colour that is not upper-case
  #RRGGBB, no elements): a RequestValidationError naming the key path and the rule; nothing is sent.
- `advice` returns the caption verifier's findings (key order, photo and art_style together, a text
  element without text, palette sizes, inverted boxes) as warnings: generation still runs.
`bbox_to_pixels` / `pixels_to_bbox` (whole pixels, clamped to the frame) and `bbox_to_rect` /
`rect_to_bbox` (the layout editor's: fractional pixels, not clamped, so a box dragged past the edge
stays where it was put and is flagged) are the one place boxes meet pixels.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import RequestValidationError

FIELD = "json_prompt"
TOP_KEYS = ("high_level_description", "style_description", "compositional_deconstruction")
STYLE_PHOTO = ("aesthetics", "lighting", "photo", "medium", "color_palette")
STYLE_ART = ("aesthetics", "lighting", "medium", "art_style", "color_palette")
COMPOSITION_KEYS = ("background", "elements")
ELEMENT_ORDER = ("type", "bbox", "text", "desc", "color_palette")
ELEMENT_TYPES = ("obj", "text")
HEX = re.compile(r"#[0-9A-F]{6}")
BBOX_SCALE = 1000
#: Caps peers use (not Ideogram's rules): warnings only.
MAX_PALETTE = 16
MAX_ELEMENT_PALETTE = 5

StructuredPrompt = dict[str, Any]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Advice:
    """A verifier finding: where (a key path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _fail(path: str, rule: str) -> RequestValidationError:
    return RequestValidationError(path, rule)


def parse(text: str, field: str = FIELD) -> StructuredPrompt:
    """Read a structured prompt from JSON text (a file, a form); the schema is checked too."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(field, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    check_schema(obj, field)
    assert isinstance(obj, dict)
    return obj


def _string(obj: dict[str, Any], key: str, path: str) -> None:
    if not isinstance(obj.get(key), str):
        raise _fail(f"{path}.{key}", "must be text")


def _palette(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise _fail(path, "must be a list of colours like #A1B2C3")
    for i, colour in enumerate(value):
        if not isinstance(colour, str) or not HEX.fullmatch(colour):
            raise _fail(f"{path}[{i}]", f"{colour!r} is not an upper-case colour like #A1B2C3")


def _keys(obj: Any, path: str, required: tuple[str, ...], allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(path, "must be a JSON object")
    for key in required:
        if key not in obj:
            raise _fail(f"{path}.{key}", "is required")
    for key in obj:
        if key not in allowed:
            raise _fail(f"{path}.{key}", f"is not a key of this object (allowed: {', '.join(allowed)})")
    return obj


def check_schema(obj: Any, field: str = FIELD) -> None:
    """Raise RequestValidationError at the first key that breaks the format's schema."""
    top = _keys(obj, field, TOP_KEYS, TOP_KEYS)
    _string(top, "high_level_description", field)
    style_path = f"{field}.style_description"
    style = _keys(
        top["style_description"], style_path, ("aesthetics", "lighting", "medium", "color_palette"),
        ("aesthetics", "lighting", "photo", "medium", "art_style", "color_palette"),
    )  # fmt: skip
    for key in ("aesthetics", "lighting", "medium", "photo", "art_style"):
        if key in style:
            _string(style, key, style_path)
    _palette(style["color_palette"], f"{style_path}.color_palette")
    comp_path = f"{field}.compositional_deconstruction"
    comp = _keys(top["compositional_deconstruction"], comp_path, COMPOSITION_KEYS, COMPOSITION_KEYS)
    _string(comp, "background", comp_path)
    elements = comp["elements"]
    if not isinstance(elements, list) or not elements:
        raise _fail(f"{comp_path}.elements", "must be a non-empty list of elements")
    for i, element in enumerate(elements):
        path = f"{comp_path}.elements[{i}]"
        el = _keys(element, path, ("type", "bbox", "desc"), ELEMENT_ORDER)
        if el["type"] not in ELEMENT_TYPES:
            raise _fail(f"{path}.type", f"must be obj or text (got {el['type']!r})")
        bbox = el["bbox"]
        if (
            not isinstance(bbox, list)
            or len(bbox) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= BBOX_SCALE for v in bbox)
        ):
            raise _fail(f"{path}.bbox", "must be [y_min, x_min, y_max, x_max], four whole numbers from 0 to 1000")
        _string(el, "desc", path)
        if "text" in el:
            _string(el, "text", path)
        if "color_palette" in el:
            _palette(el["color_palette"], f"{path}.color_palette")


def advice(obj: StructuredPrompt, field: str = FIELD) -> list[Advice]:
    """The caption verifier's warnings for a prompt that passed `check_schema`."""
    out: list[Advice] = []
    if tuple(obj) != TOP_KEYS:
        out.append(Advice(field, f"keys should come in this order: {', '.join(TOP_KEYS)}"))
    style = obj["style_description"]
    style_path = f"{field}.style_description"
    if "photo" in style and "art_style" in style:
        out.append(Advice(style_path, "photo and art_style never go together: keep one"))
    else:
        expected = STYLE_PHOTO if "photo" in style else STYLE_ART
        if tuple(style) != tuple(k for k in expected if k in style):
            out.append(Advice(style_path, f"keys should come in this order: {', '.join(expected)}"))
    total = len(style["color_palette"])
    for i, el in enumerate(obj["compositional_deconstruction"]["elements"]):
        path = f"{field}.compositional_deconstruction.elements[{i}]"
        if tuple(el) != tuple(k for k in ELEMENT_ORDER if k in el):
            out.append(Advice(path, f"keys should come in this order: {', '.join(ELEMENT_ORDER)}"))
        if el["type"] == "text" and not el.get("text"):
            out.append(Advice(path, "a text element should say its text"))
        if el["type"] == "obj" and "text" in el:
            out.append(Advice(path, "only text elements carry text"))
        y0, x0, y1, x1 = el["bbox"]
        if y0 >= y1 or x0 >= x1:
            out.append(Advice(f"{path}.bbox", "the box is empty or inverted (y_min < y_max, x_min < x_max)"))
        palette = el.get("color_palette", [])
        total += len(palette)
        if len(palette) > MAX_ELEMENT_PALETTE:
            out.append(Advice(f"{path}.color_palette", f"more than {MAX_ELEMENT_PALETTE} colours for one element"))
    if total > MAX_PALETTE:
        out.append(Advice(field, f"more than {MAX_PALETTE} colours in all"))
    return out


def serialise(obj: StructuredPrompt) -> str:
    """Compact JSON in the prompt's own key order (the order is part of the format)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def bbox_to_pixels(bbox: list[int] | Box, width: int, height: int) -> Box:
    """[y_min, x_min, y_max, x_max] in thousandths → (left, top, right, bottom) in pixels."""
    y0, x0, y1, x1 = bbox
    return (round(x0 * width / BBOX_SCALE), round(y0 * height / BBOX_SCALE),
            round(x1 * width / BBOX_SCALE), round(y1 * height / BBOX_SCALE))  # fmt: skip


def pixels_to_bbox(box: Box, width: int, height: int) -> list[int]:
    """(left, top, right, bottom) in pixels → [y_min, x_min, y_max, x_max] in thousandths, clamped."""
    left, top, right, bottom = box

    def scale(v: int, size: int) -> int:
        return max(0, min(BBOX_SCALE, round(v * BBOX_SCALE / size)))

    return [scale(top, height), scale(left, width), scale(bottom, height), scale(right, width)]


def bbox_to_rect(bbox: list[int] | Box, width: float, height: float) -> tuple[float, float, float, float]:
    """[y_min, x_min, y_max, x_max] in thousandths → (left, top, right, bottom) in fractional pixels."""
    y0, x0, y1, x1 = bbox
    return (x0 * width / BBOX_SCALE, y0 * height / BBOX_SCALE, x1 * width / BBOX_SCALE, y1 * height / BBOX_SCALE)


def rect_to_bbox(rect: tuple[float, float, float, float], width: float, height: float) -> Box:
    """(left, top, right, bottom) in pixels → [y_min, x_min, y_max, x_max] in thousandths, not
    clamped (a box may reach past the frame while it is edited)."""
    left, top, right, bottom = rect
    return (round(top * BBOX_SCALE / height), round(left * BBOX_SCALE / width),
            round(bottom * BBOX_SCALE / height), round(right * BBOX_SCALE / width))  # fmt: skip


def looks_structured(text: str) -> bool:
    """A prompt string that is a JSON object (the 4.x services answer the caption as JSON text)."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return False
    try:
        return isinstance(json.loads(stripped), dict)
    except json.JSONDecodeError:
        return False
