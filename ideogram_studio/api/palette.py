"""Colour palettes: a preset name, or up to eight colours with weights."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .enums import PalettePreset
from .errors import RequestValidationError
from .limits import MAX_COLOR_WEIGHT, MAX_PALETTE_MEMBERS, MIN_COLOR_WEIGHT

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


@dataclass(frozen=True)
class PaletteMember:
    color_hex: str
    color_weight: float | None = None


@dataclass(frozen=True)
class ColorPalette:
    """Either `name` (a preset) or `members` (custom colours), never both."""

    name: PalettePreset | None = None
    members: tuple[PaletteMember, ...] = ()

    @classmethod
    def preset(cls, name: PalettePreset | str) -> ColorPalette:
        return cls(name=PalettePreset(name))

    @classmethod
    def custom(cls, *members: tuple[str, float | None] | PaletteMember) -> ColorPalette:
        return cls(members=tuple(m if isinstance(m, PaletteMember) else PaletteMember(*m) for m in members))

    def validate(self, field: str = "color_palette") -> None:
        if (self.name is None) == (not self.members):
            raise RequestValidationError(field, "give either a preset name or custom colours, not both or neither")
        if self.name is not None:
            return
        if len(self.members) > MAX_PALETTE_MEMBERS:
            raise RequestValidationError(field, f"at most {MAX_PALETTE_MEMBERS} colours (got {len(self.members)})")
        for i, m in enumerate(self.members, 1):
            if not HEX_COLOR.match(m.color_hex):
                raise RequestValidationError(field, f"colour {i} {m.color_hex!r} is not a hex colour like #AABBCC")
            if m.color_weight is not None and not MIN_COLOR_WEIGHT <= m.color_weight <= MAX_COLOR_WEIGHT:
                raise RequestValidationError(
                    field,
                    f"colour {i} weight must be between {MIN_COLOR_WEIGHT} and {MAX_COLOR_WEIGHT} "
                    f"(got {m.color_weight})",
                )

    def to_json(self) -> dict[str, Any]:
        if self.name is not None:
            return {"name": str(self.name)}
        return {
            "members": [
                {"color_hex": m.color_hex}
                | ({} if m.color_weight is None else {"color_weight": round(m.color_weight, 4)})
                for m in self.members
            ]
        }

    def encode(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    @classmethod
    def from_json(cls, value: str | dict[str, Any], field: str = "color_palette") -> ColorPalette:
        try:
            obj = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            raise RequestValidationError(field, 'must be JSON: {"name": ...} or {"members": [...]}') from None
        if not isinstance(obj, dict):
            raise RequestValidationError(field, "must be a JSON object")
        extra = set(obj) - {"name", "members"}
        if extra:
            raise RequestValidationError(field, f"unknown key {sorted(extra)[0]!r}")
        name = obj.get("name")
        members = obj.get("members") or []
        try:
            preset = PalettePreset(name) if name is not None else None
        except ValueError:
            raise RequestValidationError(field, f"{name!r} is not a palette preset") from None
        if not isinstance(members, list):
            raise RequestValidationError(field, "members must be a list")
        parsed = []
        for m in members:
            if not isinstance(m, dict) or not isinstance(m.get("color_hex"), str):
                raise RequestValidationError(field, "each member needs a color_hex")
            weight = m.get("color_weight")
            # The contract's color_weight is a number, not nullable: `null` is refused, as the
            # service does (leave the key out for "no weight"). A bool is not a number either.
            if "color_weight" in m and (not isinstance(weight, int | float) or isinstance(weight, bool)):
                raise RequestValidationError(field, "color_weight must be a number (leave it out for no weight)")
            extra_keys = set(m) - {"color_hex", "color_weight"}
            if extra_keys:
                raise RequestValidationError(field, f"unknown member key {sorted(extra_keys)[0]!r}")
            parsed.append(PaletteMember(m["color_hex"], None if weight is None else float(weight)))
        palette = cls(name=preset, members=tuple(parsed))
        palette.validate(field)
        return palette
