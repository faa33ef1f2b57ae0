"""Read-only catalogues shipped in resources/: style preset names and descriptions, palette swatches.

Qt-free, so the sandbox, the CLI and the UI share one source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from ..api.enums import PalettePreset, StylePreset
from . import read_text


@dataclass(frozen=True)
class PresetInfo:
    preset: StylePreset
    name: str
    description: str


def _load(name: str) -> dict[str, object]:
    text = read_text(name)
    data: dict[str, object] = json.loads(text)
    return data


@cache
def style_presets() -> tuple[PresetInfo, ...]:
    """All presets in the service's stable order (never re-sorted by recency)."""
    entries = _load("presets.json")["presets"]
    assert isinstance(entries, list)
    return tuple(PresetInfo(StylePreset(e["id"]), e["name"], e["description"]) for e in entries)


@cache
def palette_swatches() -> dict[PalettePreset, tuple[str, ...]]:
    """Approximate colours of each preset palette, for display (only the name is sent)."""
    data = _load("palettes.json")
    return {PalettePreset(k): tuple(v) for k, v in data.items() if not k.startswith("_") and isinstance(v, list)}
