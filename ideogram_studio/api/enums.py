"""Every enum of the Ideogram 3.0 API, as published in openapi-v3.json.

Generated from the contract once and checked against it by tests/core/test_enums.py, so a
change of the published contract shows up as a failing test, not as a silent 400.
"""

from __future__ import annotations

from enum import StrEnum


class AspectRatio(StrEnum):
    """Aspect ratios, written width x height ("16x9")."""

    AR_1X3 = "1x3"
    AR_3X1 = "3x1"
    AR_1X2 = "1x2"
    AR_2X1 = "2x1"
    AR_9X16 = "9x16"
    AR_16X9 = "16x9"
    AR_10X16 = "10x16"
    AR_16X10 = "16x10"
    AR_2X3 = "2x3"
    AR_3X2 = "3x2"
    AR_3X4 = "3x4"
    AR_4X3 = "4x3"
    AR_4X5 = "4x5"
    AR_5X4 = "5x4"
    AR_1X1 = "1x1"


class Resolution(StrEnum):
    """The 69 output resolutions Ideogram 3.0 accepts, width x height."""

    R_512X1536 = "512x1536"
    R_576X1408 = "576x1408"
    R_576X1472 = "576x1472"
    R_576X1536 = "576x1536"
    R_640X1344 = "640x1344"
    R_640X1408 = "640x1408"
    R_640X1472 = "640x1472"
    R_640X1536 = "640x1536"
    R_704X1152 = "704x1152"
    R_704X1216 = "704x1216"
    R_704X1280 = "704x1280"
    R_704X1344 = "704x1344"
    R_704X1408 = "704x1408"
    R_704X1472 = "704x1472"
    R_736X1312 = "736x1312"
    R_768X1088 = "768x1088"
    R_768X1216 = "768x1216"
    R_768X1280 = "768x1280"
    R_768X1344 = "768x1344"
    R_800X1280 = "800x1280"
    R_832X960 = "832x960"
    R_832X1024 = "832x1024"
    R_832X1088 = "832x1088"
    R_832X1152 = "832x1152"
    R_832X1216 = "832x1216"
    R_832X1248 = "832x1248"
    R_864X1152 = "864x1152"
    R_896X960 = "896x960"
    R_896X1024 = "896x1024"
    R_896X1088 = "896x1088"
    R_896X1120 = "896x1120"
    R_896X1152 = "896x1152"
    R_960X832 = "960x832"
    R_960X896 = "960x896"
    R_960X1024 = "960x1024"
    R_960X1088 = "960x1088"
    R_1024X832 = "1024x832"
    R_1024X896 = "1024x896"
    R_1024X960 = "1024x960"
    R_1024X1024 = "1024x1024"
    R_1088X768 = "1088x768"
    R_1088X832 = "1088x832"
    R_1088X896 = "1088x896"
    R_1088X960 = "1088x960"
    R_1120X896 = "1120x896"
    R_1152X704 = "1152x704"
    R_1152X832 = "1152x832"
    R_1152X864 = "1152x864"
    R_1152X896 = "1152x896"
    R_1216X704 = "1216x704"
    R_1216X768 = "1216x768"
    R_1216X832 = "1216x832"
    R_1248X832 = "1248x832"
    R_1280X704 = "1280x704"
    R_1280X768 = "1280x768"
    R_1280X800 = "1280x800"
    R_1312X736 = "1312x736"
    R_1344X640 = "1344x640"
    R_1344X704 = "1344x704"
    R_1344X768 = "1344x768"
    R_1408X576 = "1408x576"
    R_1408X640 = "1408x640"
    R_1408X704 = "1408x704"
    R_1472X576 = "1472x576"
    R_1472X640 = "1472x640"
    R_1472X704 = "1472x704"
    R_1536X512 = "1536x512"
    R_1536X576 = "1536x576"
    R_1536X640 = "1536x640"


class RenderingSpeed(StrEnum):
    """Speed/quality trade-off; also sets the price per image."""

    FLASH = "FLASH"
    TURBO = "TURBO"
    BALANCED = "BALANCED"
    DEFAULT = "DEFAULT"
    QUALITY = "QUALITY"


class MagicPrompt(StrEnum):
    """Whether the service rewrites the prompt before generating."""

    AUTO = "AUTO"
    ON = "ON"
    OFF = "OFF"


class StyleType(StrEnum):
    """Broad style family. The API default is GENERAL."""

    AUTO = "AUTO"
    GENERAL = "GENERAL"
    REALISTIC = "REALISTIC"
    DESIGN = "DESIGN"
    CUSTOM = "CUSTOM"
    FICTION = "FICTION"
    STYLIZED = "STYLIZED"


class StylePreset(StrEnum):
    """The named style presets of Ideogram 3.0."""

    P_80S_ILLUSTRATION = "80S_ILLUSTRATION"
    P_90S_NOSTALGIA = "90S_NOSTALGIA"
    ABSTRACT_ORGANIC = "ABSTRACT_ORGANIC"
    ANALOG_NOSTALGIA = "ANALOG_NOSTALGIA"
    ART_BRUT = "ART_BRUT"
    ART_DECO = "ART_DECO"
    ART_POSTER = "ART_POSTER"
    AURA = "AURA"
    AVANT_GARDE = "AVANT_GARDE"
    BAUHAUS = "BAUHAUS"
    BLUEPRINT = "BLUEPRINT"
    BLURRY_MOTION = "BLURRY_MOTION"
    BRIGHT_ART = "BRIGHT_ART"
    C4D_CARTOON = "C4D_CARTOON"
    CHILDRENS_BOOK = "CHILDRENS_BOOK"
    COLLAGE = "COLLAGE"
    COLORING_BOOK_I = "COLORING_BOOK_I"
    COLORING_BOOK_II = "COLORING_BOOK_II"
    CUBISM = "CUBISM"
    DARK_AURA = "DARK_AURA"
    DOODLE = "DOODLE"
    DOUBLE_EXPOSURE = "DOUBLE_EXPOSURE"
    DRAMATIC_CINEMA = "DRAMATIC_CINEMA"
    EDITORIAL = "EDITORIAL"
    EMOTIONAL_MINIMAL = "EMOTIONAL_MINIMAL"
    ETHEREAL_PARTY = "ETHEREAL_PARTY"
    EXPIRED_FILM = "EXPIRED_FILM"
    FLAT_ART = "FLAT_ART"
    FLAT_VECTOR = "FLAT_VECTOR"
    FOREST_REVERIE = "FOREST_REVERIE"
    GEO_MINIMALIST = "GEO_MINIMALIST"
    GLASS_PRISM = "GLASS_PRISM"
    GOLDEN_HOUR = "GOLDEN_HOUR"
    GRAFFITI_I = "GRAFFITI_I"
    GRAFFITI_II = "GRAFFITI_II"
    HALFTONE_PRINT = "HALFTONE_PRINT"
    HIGH_CONTRAST = "HIGH_CONTRAST"
    HIPPIE_ERA = "HIPPIE_ERA"
    ICONIC = "ICONIC"
    JAPANDI_FUSION = "JAPANDI_FUSION"
    JAZZY = "JAZZY"
    LONG_EXPOSURE = "LONG_EXPOSURE"
    MAGAZINE_EDITORIAL = "MAGAZINE_EDITORIAL"
    MINIMAL_ILLUSTRATION = "MINIMAL_ILLUSTRATION"
    MIXED_MEDIA = "MIXED_MEDIA"
    MONOCHROME = "MONOCHROME"
    NIGHTLIFE = "NIGHTLIFE"
    OIL_PAINTING = "OIL_PAINTING"
    OLD_CARTOONS = "OLD_CARTOONS"
    PAINT_GESTURE = "PAINT_GESTURE"
    POP_ART = "POP_ART"
    RETRO_ETCHING = "RETRO_ETCHING"
    RIVIERA_POP = "RIVIERA_POP"
    SPOTLIGHT_80S = "SPOTLIGHT_80S"
    STYLIZED_RED = "STYLIZED_RED"
    SURREAL_COLLAGE = "SURREAL_COLLAGE"
    TRAVEL_POSTER = "TRAVEL_POSTER"
    VINTAGE_GEO = "VINTAGE_GEO"
    VINTAGE_POSTER = "VINTAGE_POSTER"
    WATERCOLOR = "WATERCOLOR"
    WEIRD = "WEIRD"
    WOODBLOCK_PRINT = "WOODBLOCK_PRINT"


class PalettePreset(StrEnum):
    """The preset colour palettes."""

    EMBER = "EMBER"
    FRESH = "FRESH"
    JUNGLE = "JUNGLE"
    MAGIC = "MAGIC"
    MELON = "MELON"
    MOSAIC = "MOSAIC"
    PASTEL = "PASTEL"
    ULTRAMARINE = "ULTRAMARINE"


class UpscaleFactor(StrEnum):
    """Upscale factor of generate-transparent."""

    X1 = "X1"
    X2 = "X2"
    X4 = "X4"


class DescribeModelVersion(StrEnum):
    """Model used by /describe."""

    V_2 = "V_2"
    V_3 = "V_3"
    CUSTOM = "CUSTOM"


class MagicPromptVersion(StrEnum):
    """Magic prompt version of /upscale."""

    V_0 = "V_0"
    V_0_1 = "V_0_1"
    V_0_2 = "V_0_2"
    V_0_3 = "V_0_3"
    V_0_4 = "V_0_4"
    V_0_5 = "V_0_5"
    V_0_6 = "V_0_6"
    V_0_7 = "V_0_7"
    V_0_8 = "V_0_8"


def size_of(resolution: Resolution | str) -> tuple[int, int]:
    """Width and height of a resolution or aspect ratio written "WxH"."""
    w, _, h = str(resolution).partition("x")
    return int(w), int(h)


def aspect_of(resolution: Resolution | str) -> tuple[int, int]:
    """The reduced ratio of a resolution: 1024x576 -> (16, 9)."""
    from math import gcd

    w, h = size_of(resolution)
    g = gcd(w, h)
    return w // g, h // g


def default_resolution(aspect_ratio: AspectRatio | None) -> Resolution:
    """The resolution the service picks for an aspect ratio: the one closest to a megapixel."""
    if aspect_ratio is None:
        return Resolution.R_1024X1024
    aw, ah = size_of(aspect_ratio)
    target = aw / ah

    def badness(r: Resolution) -> tuple[float, float]:
        w, h = size_of(r)
        return abs(w / h - target), abs(w * h - 1024 * 1024)

    return min(Resolution, key=badness)


def human_name(value: StrEnum | str) -> str:
    """A designer-facing label for an enum value: "80S_ILLUSTRATION" -> "80s Illustration"."""
    words = str(value).replace("_", " ").split()
    out = []
    for word in words:
        if word in {"I", "II", "III", "C4D", "3D"}:
            out.append(word)
        elif word[0].isdigit():
            out.append(word.lower())
        else:
            out.append(word.capitalize())
    return " ".join(out)
