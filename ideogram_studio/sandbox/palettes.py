"""Colours the sandbox paints with: the preset palettes (approximated), custom members, or
colours derived from the prompt when no palette is given."""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from ideogram_studio.api.enums import PalettePreset
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.resources.catalog import palette_swatches

RGB = tuple[int, int, int]

#: Approximate colours of the preset palettes: the catalogue the palette picker shows, so the
#: sandbox paints what the designer saw when choosing.
PRESET_COLOURS: dict[PalettePreset, tuple[str, ...]] = palette_swatches()


@dataclass(frozen=True)
class Colours:
    """At least two colours with weights (bigger weight, more area)."""

    colours: tuple[RGB, ...]
    weights: tuple[float, ...]

    def darkest(self) -> RGB:
        return min(self.colours, key=luminance)

    def lightest(self) -> RGB:
        return max(self.colours, key=luminance)


def parse_hex(text: str) -> RGB:
    digits = text.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def luminance(rgb: RGB) -> float:
    r, g, b = rgb
    return 0.299 * r + 0.587 * g + 0.114 * b


def colours_for(palette: ColorPalette | None, prompt: str) -> Colours:
    """The colours of a request: its palette if it has one, else a scheme derived from the prompt
    (so every image of one prompt shares a look, whatever the seed)."""
    if palette is not None and palette.name is not None:
        colours = tuple(parse_hex(c) for c in PRESET_COLOURS[palette.name])
        return Colours(colours, tuple(1.0 for _ in colours))
    if palette is not None and palette.members:
        colours = tuple(parse_hex(m.color_hex) for m in palette.members)
        weights = tuple(m.color_weight or 1.0 / len(colours) for m in palette.members)
        if len(colours) == 1:  # a gradient needs two ends: add a darker shade of the one colour
            colours += (_shade(colours[0], 0.55),)
            weights += (weights[0] / 4,)
        return Colours(colours, weights)
    return _derived(prompt)


def _derived(prompt: str) -> Colours:
    digest = hashlib.sha256(prompt.strip().lower().encode()).digest()
    hue = digest[0] / 255
    spread = 0.08 + digest[1] / 255 * 0.25
    colours = []
    for i, (sat, val) in enumerate(((0.75, 0.25), (0.65, 0.55), (0.55, 0.8), (0.35, 0.95), (0.8, 0.7))):
        h = (hue + (i - 2) * spread) % 1.0
        r, g, b = colorsys.hsv_to_rgb(h, sat, val)
        colours.append((round(r * 255), round(g * 255), round(b * 255)))
    return Colours(tuple(colours), (1.0, 0.8, 0.6, 0.4, 0.3))


def _shade(rgb: RGB, factor: float) -> RGB:
    r, g, b = rgb
    return round(r * factor), round(g * factor), round(b * factor)
