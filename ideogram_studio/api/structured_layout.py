"""Ideogram 4's structured prompt as a layout to edit: immutable values the layout editor changes
one step at a time (each step a new `Layout`, so undo keeps the one before), with its own JSON on
both sides and the things a designer should see flagged.

Qt-free: the editor's canvas and side form only render a `Layout` and ask for the next one.

- `Layout.from_prompt` / `from_json` read a prompt that passed the schema (structured_prompt.py);
  `to_prompt` / `to_json` write it in the format's key order. A box dragged past the frame keeps
  its coordinates here (flagged); it is clipped to 0–1000 only when written out.
- `flags` names what is allowed but worth a look: boxes that overlap, reach outside the frame, are
  smaller than the model can use, or are empty.
- `text_room` is how long an element's text may be before the written caption passes the
  service's prompt limit (the text field refuses more).
- `read_file` / `write_file` open and save a prompt as a .json file; a damaged or foreign file is
  refused with the reason.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import structured_prompt as sp
from .enums import AspectRatio
from .errors import RequestValidationError
from .registry import MAX_PROMPT_45

#: The smallest box side the studio thinks the model can use, in pixels of the frame. Ideogram
#: publishes no minimum; a box this small holds at most a word in tiny type, so it is flagged (not
#: refused) — the studio's threshold, not the service's rule.
MIN_BOX_SIDE_PX = 32
#: The service's prompt limit (4.5/4.6: the written caption counts); 4.0 takes at least as much.
PROMPT_LIMIT = MAX_PROMPT_45
#: A prompt file larger than this is not a prompt (a caption at the limit is ~10 kB).
MAX_FILE_BYTES = 1_000_000
#: The studio's default frame when nothing says otherwise: Ideogram 4's 1K square.
DEFAULT_FRAME = (1024, 1024)


@dataclass(frozen=True)
class Element:
    """One element: its kind ("obj" or "text"), its box in thousandths of the frame (may reach
    past 0–1000 while edited), what it is, its text (text elements) and its own colours."""

    kind: str = "obj"
    top: int = 0
    left: int = 0
    bottom: int = 0
    right: int = 0
    desc: str = ""
    text: str = ""
    palette: tuple[str, ...] = ()

    @property
    def bbox(self) -> sp.Box:
        """[y_min, x_min, y_max, x_max], as the format orders it."""
        return (self.top, self.left, self.bottom, self.right)

    def with_bbox(self, bbox: sp.Box) -> Element:
        top, left, bottom, right = bbox
        return replace(self, top=top, left=left, bottom=bottom, right=right)

    def outside(self) -> bool:
        return min(self.bbox) < 0 or max(self.bbox) > sp.BBOX_SCALE

    def to_prompt(self) -> dict[str, Any]:
        top, left, bottom, right = (max(0, min(sp.BBOX_SCALE, v)) for v in self.bbox)
        out: dict[str, Any] = {"type": self.kind, "bbox": [top, left, bottom, right]}
        if self.kind == "text":
            out["text"] = self.text
        out["desc"] = self.desc
        if self.palette:
            out["color_palette"] = list(self.palette)
        return out

    @classmethod
    def from_prompt(cls, obj: dict[str, Any]) -> Element:
        top, left, bottom, right = obj["bbox"]
        return cls(
            kind=obj["type"], top=top, left=left, bottom=bottom, right=right, desc=obj.get("desc", ""),
            text=obj.get("text", ""), palette=tuple(obj.get("color_palette") or ()),
        )  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """A whole structured prompt. `photo` set: the photograph shape of the style (photo, no
    art_style); otherwise the illustration shape with `art_style`."""

    high_level_description: str = ""
    aesthetics: str = ""
    lighting: str = ""
    medium: str = ""
    photo: str | None = None
    art_style: str = ""
    palette: tuple[str, ...] = ()
    background: str = ""
    elements: tuple[Element, ...] = field(default=())

    # ---- reading and writing --------------------------------------------------------------
    @classmethod
    def from_prompt(cls, obj: dict[str, Any]) -> Layout:
        """From a prompt; raises RequestValidationError (the key and the rule) if it breaks the schema."""
        sp.check_schema(obj)
        style = obj["style_description"]
        comp = obj["compositional_deconstruction"]
        return cls(
            high_level_description=obj["high_level_description"], aesthetics=style["aesthetics"],
            lighting=style["lighting"], medium=style["medium"], photo=style.get("photo"),
            art_style=style.get("art_style", ""), palette=tuple(style["color_palette"]),
            background=comp["background"], elements=tuple(Element.from_prompt(e) for e in comp["elements"]),
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> Layout:
        return cls.from_prompt(sp.parse(text))

    def to_prompt(self) -> dict[str, Any]:
        style: dict[str, Any] = {"aesthetics": self.aesthetics, "lighting": self.lighting}
        if self.photo is not None:
            style["photo"] = self.photo
            style["medium"] = self.medium
        else:
            style["medium"] = self.medium
            style["art_style"] = self.art_style
        style["color_palette"] = list(self.palette)
        return {
            "high_level_description": self.high_level_description,
            "style_description": style,
            "compositional_deconstruction": {
                "background": self.background, "elements": [e.to_prompt() for e in self.elements],
            },
        }  # fmt: skip

    def to_json(self) -> str:
        """Indented for people (the form and files); the request sends it compact."""
        return json.dumps(self.to_prompt(), indent=2, ensure_ascii=False)

    # ---- steps ----------------------------------------------------------------------------
    def with_element(self, index: int, element: Element) -> Layout:
        items = list(self.elements)
        items[index] = element
        return replace(self, elements=tuple(items))

    def added(self, element: Element) -> Layout:
        return replace(self, elements=(*self.elements, element))

    def removed(self, index: int) -> Layout:
        return replace(self, elements=self.elements[:index] + self.elements[index + 1 :])

    def changed(self, **values: Any) -> Layout:
        return replace(self, **values)


@dataclass(frozen=True)
class Flag:
    """Something allowed but worth a look, on element `index` (or -1 for the whole layout)."""

    index: int
    kind: str  # "overlap" | "outside" | "small" | "empty" | "no-text"
    message: str
    #: "overlap": the other elements' numbers (from 1).
    others: tuple[int, ...] = ()


def _area(a: sp.Box) -> int:
    return max(0, a[2] - a[0]) * max(0, a[3] - a[1])


def _overlap(a: sp.Box, b: sp.Box) -> bool:
    inter = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return _area(inter) > 0


def flags(layout: Layout, frame: tuple[int, int] = DEFAULT_FRAME) -> list[Flag]:
    """Overlapping, out-of-frame, too-small and empty boxes, in element order (numbered from 1 in
    the messages, as the canvas labels them)."""
    width, height = frame
    out: list[Flag] = []
    for i, el in enumerate(layout.elements):
        if el.bottom <= el.top or el.right <= el.left:
            out.append(Flag(i, "empty", f"Element {i + 1}'s box is empty: draw it again"))
            continue
        if el.kind == "text" and not el.text.strip():
            out.append(Flag(i, "no-text", f"Element {i + 1} is a text box with no text yet: type its words"))
        if el.outside():
            out.append(Flag(i, "outside", f"Element {i + 1} reaches outside the frame: it is sent clipped to it"))
        w_px = (el.right - el.left) * width / sp.BBOX_SCALE
        h_px = (el.bottom - el.top) * height / sp.BBOX_SCALE
        if min(w_px, h_px) < MIN_BOX_SIDE_PX:
            out.append(Flag(i, "small", f"Element {i + 1} is {w_px:.0f}×{h_px:.0f} px: smaller than the model "
                                        f"can use (a side under {MIN_BOX_SIDE_PX} px)"))  # fmt: skip
        others = [j + 1 for j, o in enumerate(layout.elements) if j != i and _overlap(el.bbox, o.bbox)]
        if others:
            names = ", ".join(map(str, others))
            out.append(Flag(i, "overlap", f"Element {i + 1} overlaps element{'s' if len(others) > 1 else ''} {names}",
                            tuple(others)))  # fmt: skip
    return out


def flag_lines(found: list[Flag]) -> list[str]:
    """The flags in words, each overlap said once (element 1's line names 2; element 2's does not
    say it again)."""
    lines = []
    for flag in found:
        if flag.kind != "overlap":
            lines.append(flag.message)
            continue
        later = [n for n in flag.others if n > flag.index + 1]
        if later:
            names = ", ".join(map(str, later))
            lines.append(f"Element {flag.index + 1} overlaps element{'s' if len(later) > 1 else ''} {names}")
    return lines


def text_room(layout: Layout, index: int, limit: int = PROMPT_LIMIT) -> int:
    """How many characters element `index`'s text may have before the written caption is longer
    than the service accepts."""
    without = layout.with_element(index, replace(layout.elements[index], text=""))
    return max(0, limit - len(sp.serialise(without.to_prompt())))


# ---- files -------------------------------------------------------------------------------------
def frame_aspect_ratio(frame: tuple[int, int]) -> str:
    """The listed aspect ratio ("16x9") nearest a frame's shape, for magic prompt v4's
    `aspect_ratio`: Expand then places the boxes for the frame they will be drawn in. Nearest by the
    ratio's logarithm (2:1 is as far from 1:1 as 1:2)."""
    wanted = math.log(frame[0] / frame[1])

    def distance(ratio: AspectRatio) -> float:
        width, _, height = ratio.value.partition("x")
        return abs(math.log(int(width) / int(height)) - wanted)

    return min(AspectRatio, key=distance).value


class LayoutFileError(ValueError):
    """A file that is not a structured prompt; the message is the sentence to show."""


def read_file(path: str | Path) -> Layout:
    """A structured prompt from a .json file: the prompt itself, or a magic-prompt / describe
    answer that holds one under "json_prompt". Anything else is refused, saying why."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LayoutFileError(f"{p.name} is {size // 1000:,} kB: too large to be a structured prompt.")
        raw = p.read_bytes()
    except OSError as exc:
        raise LayoutFileError(f"{p.name} could not be read: {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LayoutFileError(f"{p.name} is not a text file (a structured prompt is JSON text).") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayoutFileError(f"{p.name} is damaged: not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    if isinstance(obj, dict) and isinstance(obj.get(sp.FIELD), dict) and not any(k in obj for k in sp.TOP_KEYS):
        obj = obj[sp.FIELD]
    if not isinstance(obj, dict) or "compositional_deconstruction" not in obj:
        raise LayoutFileError(f"{p.name} is JSON but not an Ideogram structured prompt "
                              "(it has no compositional_deconstruction).")  # fmt: skip
    try:
        return Layout.from_prompt(obj)
    except RequestValidationError as exc:
        where = exc.field.removeprefix(sp.FIELD).lstrip(".") or "the prompt"
        raise LayoutFileError(f"{p.name} is not a structured prompt the studio can use: {where} {exc.rule}.") from None


def write_file(path: str | Path, layout: Layout) -> None:
    """Write the prompt as indented JSON, all or nothing (a temporary file renamed over the target)."""
    p = Path(path)
    data = (layout.to_json() + "\n").encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def in_words(prompt: str) -> str | None:
    """A stored structured prompt (its JSON text) as a caption says it: "Layout: <the high-level
    description> (2 elements)"; None for a text prompt."""
    if not prompt.lstrip().startswith("{"):
        return None
    try:
        obj = json.loads(prompt)
    except ValueError:
        return None
    scene = obj.get("compositional_deconstruction") if isinstance(obj, dict) else None
    if not isinstance(scene, dict):
        return None
    elements = scene.get("elements")
    count = len(elements) if isinstance(elements, list) else 0
    words = str(obj.get("high_level_description") or "").strip() or "a structured prompt"
    return f"Layout: {words} ({count} element{'s' if count != 1 else ''})"


#: How many elements a longer description lists (the JSON, a click away, has them all).
LISTED_ELEMENTS = 8


def in_lines(prompt: str) -> list[str] | None:
    """A stored structured prompt as a few lines for a details panel: in_words' headline, then one
    line per element ('Text "NORTH LIGHT": headline', 'Object: a lighthouse'); None for a text prompt."""
    headline = in_words(prompt)
    if headline is None:
        return None
    elements = json.loads(prompt)["compositional_deconstruction"].get("elements")
    lines = [headline]
    listed = [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []
    for element in listed[:LISTED_ELEMENTS]:
        desc = " ".join(str(element.get("desc") or "").split())
        if element.get("type") == "text":
            text = " ".join(str(element.get("text") or "").split())
            lines.append(f'Text "{text}"' + (f": {desc}" if desc else ""))
        else:
            lines.append(f"Object: {desc or 'no description'}")
    if len(listed) > LISTED_ELEMENTS:
        lines.append(f"… and {len(listed) - LISTED_ELEMENTS} more")
    return lines
