"""Precise Edit's context window: the region of the image the edit may look at and change.

The field `context_window` is `y_min,x_min,y_max,x_max` in whole image pixels, or `auto` (only with
a mask). The service's rules, as the 2026-10-07 OpenAPI snapshot's field table states them
(qmediat/ideogram-mcp docs/API-REFERENCE.md, precise-edit ideogram-4-5) and the team digest repeats:
whole numbers, max above min, each side at least 256 px, aspect ratio between 1:6 and 6:1, at most
4,194,304 pixels. Pixels outside the window come back unchanged.

One place for the rules: the request's validation (v2_requests) and the canvas's live rectangle both
ask `broken_rule`, so what the rectangle draws red is exactly what a send would refuse.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

MIN_SIDE = 256
MAX_ASPECT = 6
MAX_PIXELS = 4_194_304
AUTO = "auto"
_FIELD = re.compile(r"([0-9]{1,5}),([0-9]{1,5}),([0-9]{1,5}),([0-9]{1,5})")


class Rule(NamedTuple):
    """A broken rule: a short name (drawn beside the rectangle) and the sentence for the form."""

    name: str
    sentence: str


class ContextWindow(NamedTuple):
    """A rectangle in image pixels; max edges are exclusive (x_max - x_min is the width)."""

    y_min: int
    x_min: int
    y_max: int
    x_max: int

    @property
    def width(self) -> int:
        return self.x_max - self.x_min

    @property
    def height(self) -> int:
        return self.y_max - self.y_min

    def to_field(self) -> str:
        return f"{self.y_min},{self.x_min},{self.y_max},{self.x_max}"

    @classmethod
    def parse(cls, text: str) -> ContextWindow | None:
        """The window a field value names; None for `auto` or text that is not four numbers."""
        match = _FIELD.fullmatch(text.strip())
        return None if match is None else cls(*(int(g) for g in match.groups()))

    @classmethod
    def from_corners(cls, x0: float, y0: float, x1: float, y1: float) -> ContextWindow:
        """Any two corners (as dragged, in any direction) → a window rounded to whole pixels."""
        left, right = sorted((x0, x1))
        top, bottom = sorted((y0, y1))
        return cls(round(top), round(left), round(bottom), round(right))


def broken_rule(window: ContextWindow, image_width: int, image_height: int) -> Rule | None:
    """The first rule the window breaks on an image of this size, or None when it may be sent."""
    w, h = window.width, window.height
    if w <= 0 or h <= 0:
        return Rule("empty", "y_max and x_max must be above y_min and x_min")
    if window.x_min < 0 or window.y_min < 0 or window.x_max > image_width or window.y_max > image_height:
        return Rule("outside the image", f"reaches outside the {image_width}×{image_height} image")
    if min(w, h) < MIN_SIDE:
        return Rule(f"each side ≥ {MIN_SIDE} px", f"each side must be at least {MIN_SIDE} px (it is {w}×{h})")
    if max(w, h) > MAX_ASPECT * min(w, h):
        return Rule(
            f"aspect 1:{MAX_ASPECT}–{MAX_ASPECT}:1",
            f"its aspect ratio must stay between 1:{MAX_ASPECT} and {MAX_ASPECT}:1 (it is {w}×{h})",
        )
    if w * h > MAX_PIXELS:
        return Rule(
            f"≤ {MAX_PIXELS:,} px",
            f"covers {w * h:,} pixels ({w}×{h}); at most {MAX_PIXELS:,} (e.g. 2048×2048)",
        )
    return None


def field_rule(value: str, image_width: int, image_height: int, *, has_mask: bool) -> Rule | None:
    """The rule a `context_window` field value breaks, `auto` included."""
    if value == AUTO:
        return None if has_mask else Rule("auto needs a mask", '"auto" needs a mask: paint the area to edit')
    window = ContextWindow.parse(value)
    if window is None:
        return Rule("not four numbers", "must be y_min,x_min,y_max,x_max in whole pixels, or auto")
    return broken_rule(window, image_width, image_height)


def largest_allowed(image_width: int, image_height: int) -> ContextWindow | None:
    """The biggest centred window the rules allow on this image (None: the image is too small for
    any: a side under 256 px)."""
    w, h = image_width, image_height
    if min(w, h) < MIN_SIDE:
        return None
    w, h = min(w, MAX_ASPECT * h), min(h, MAX_ASPECT * w)
    if w * h > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / (w * h))
        w, h = max(MIN_SIDE, math.floor(w * scale)), max(MIN_SIDE, math.floor(h * scale))
        while w * h > MAX_PIXELS:  # rounding: shave the longer side
            if w >= h:
                w -= 1
            else:
                h -= 1
    x0, y0 = (image_width - w) // 2, (image_height - h) // 2
    return ContextWindow(y0, x0, y0 + h, x0 + w)
