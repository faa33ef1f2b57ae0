"""Advice on a GenerateRequest that the API does not enforce (warnings, never blockers). Qt-free.

These come from the API digest's "warn, and let the server decide" notes; validate() stays the
only source of errors. They could move into ideogram_studio.api if other front ends need them.
"""

from __future__ import annotations

from ...api.enums import RenderingSpeed, StyleType
from ...api.requests import GenerateRequest

#: Styles that character references are reported to need (third-party reports, not the spec).
CHARACTER_STYLES = frozenset({StyleType.AUTO, StyleType.REALISTIC, StyleType.FICTION})
#: Styles that style references work with in Ideogram's own app. None is sent as nothing = GENERAL.
STYLE_REFERENCE_STYLES = frozenset({None, StyleType.AUTO, StyleType.GENERAL})


def advice(request: GenerateRequest) -> list[tuple[str, str]]:
    """(field, message) pairs worth a warning next to the field."""
    out: list[tuple[str, str]] = []
    if request.character_reference_images:
        if request.rendering_speed is RenderingSpeed.FLASH:
            out.append(
                (
                    "rendering_speed",
                    "Character references are reported not to work with Flash (and no price is "
                    "published for it); the server decides.",
                )
            )
        if request.style_type not in CHARACTER_STYLES:
            current = "not set (General)" if request.style_type is None else request.style_type.value.title()
            out.append(
                (
                    "style_type",
                    f"Character references are reported to need style Auto, Realistic or Fiction; this is {current}.",
                )
            )
    if request.style_reference_images and request.style_type not in STYLE_REFERENCE_STYLES:
        assert request.style_type is not None
        out.append(
            (
                "style_type",
                f"Style references work with style Auto or General; this is {request.style_type.value.title()}.",
            )
        )
    return out
