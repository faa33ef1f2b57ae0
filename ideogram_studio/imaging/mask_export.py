"""Masks for the endpoints that take one, without Qt: read a mask file, make the PNG the API expects.

Which way round an endpoint reads its mask is decided in ONE table here, ``EXPORT_POLARITY``
(inpaint and Precise Edit: black = change; remove object: white = remove).

Inside the studio a mask is *coverage*: an 8-bit grey image at the image's exact size where
255 means "change this" and 0 "keep this" (what the designer paints). The API wants the
opposite polarity (see ``shared/ideogram-api/README.md``, "The mask"):

* an 8-bit single-channel PNG ("L") of exactly the image's width and height,
* holding only 0 and 255,
* **black (0) = the region to change, white (255) = keep.**

So export thresholds coverage at ``THRESHOLD`` (>= 128 is "change") and writes change as 0.

Reading a mask file follows one of two documented rules (``MaskRule``):

* ``MaskRule.API`` (the default): the file is a black-and-white mask in the API's polarity.
  Dark pixels (luminance < 128) mark the change. Transparent pixels are laid on white first,
  so they keep.
* ``MaskRule.PAINTED``: the file marks the change the way most tools do. With an alpha
  channel, opaque pixels (alpha >= 128) mark the change (a transparent PNG / selection);
  without one, light pixels (luminance >= 128) do (white = change).
"""

from __future__ import annotations

import io
import warnings
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageFilter, UnidentifiedImageError

from ..api.images import ImageFile, encode_png
from ..api.limits import MAX_INPUT_PIXELS
from ..api.registry import MaskPolarity
from ..api.requests import Operation

#: Coverage at or above this is "change" in the exported mask.
THRESHOLD = 128
#: The API's values.
API_CHANGE = 0
API_KEEP = 255

EMPTY_MASK = "Paint the area you want to change first."
FULL_MASK = "The mask covers the whole image; leave some of it unpainted to keep."

_TO_BINARY = [255 if v >= THRESHOLD else 0 for v in range(256)]  # coverage -> change (255) / keep (0)
_TO_API = [API_CHANGE if v >= THRESHOLD else API_KEEP for v in range(256)]  # coverage -> API polarity


class MaskRule(StrEnum):
    """How a mask file marks the region to change."""

    API = "api"  # black = change, white = keep (the API's own polarity)
    PAINTED = "painted"  # opaque (or, without alpha, white) = change, as in most tools


class MaskFileError(ValueError):
    """A mask file cannot be used; the message is for the designer."""


# ---- export -----------------------------------------------------------------------------------


def binarize(coverage: Image.Image, grow: int = 0, feather: int = 0) -> Image.Image:
    """Coverage ("L", 255 = change) -> a binary "L" image, 255 = change and 0 = keep.

    ``grow`` widens the painted region by about that many pixels; ``feather`` smooths its edge
    over about that many pixels. Both keep the result binary (the API takes black and white only),
    and 0 means "exactly what was painted".
    """
    if coverage.mode != "L":
        raise ValueError(f"coverage must be an 'L' image, not {coverage.mode!r}")
    change = coverage.point(_TO_BINARY)
    if grow > 0:
        # A Gaussian of sigma grow/2 falls to ~2.3 % at 2 sigma = grow pixels outside a straight edge.
        blurred = change.filter(ImageFilter.GaussianBlur(grow / 2))
        change = blurred.point([255 if v >= 6 else 0 for v in range(256)])
    if feather > 0:
        blurred = change.filter(ImageFilter.GaussianBlur(feather / 2))
        change = blurred.point(_TO_BINARY)
    return change


def to_api_polarity(change: Image.Image) -> Image.Image:
    """A binary change image (255 = change) in the API's polarity (0 = change, 255 = keep)."""
    return change.point([API_CHANGE if v >= THRESHOLD else API_KEEP for v in range(256)])


def api_mask(coverage: Image.Image, grow: int = 0, feather: int = 0) -> Image.Image:
    """Coverage -> the "L" image the API expects: same size, only 0 (change) and 255 (keep)."""
    if grow <= 0 and feather <= 0:
        if coverage.mode != "L":
            raise ValueError(f"coverage must be an 'L' image, not {coverage.mode!r}")
        return coverage.point(_TO_API)
    return to_api_polarity(binarize(coverage, grow, feather))


def api_mask_png(coverage: Image.Image, grow: int = 0, feather: int = 0) -> bytes:
    buf = io.BytesIO()
    api_mask(coverage, grow, feather).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def api_mask_file(coverage: Image.Image, grow: int = 0, feather: int = 0, filename: str = "mask.png") -> ImageFile:
    return encode_png(api_mask(coverage, grow, feather), filename)


# ---- polarity per operation --------------------------------------------------------------------

#: THE table: what the exported mask's black pixels mean, per operation that takes a mask. The canvas
#: always shows the same painting (painted = what the designer wants changed or removed); only the
#: export differs. Inpaint (v1 and v2), Precise Edit and 4.5/4.6 generate with a mask: black = change.
#: Remove object: white = remove. tests/core/test_mask_polarity.py checks every registry entry with a
#: mask field against this table and the contract's x-mask-polarity.
EXPORT_POLARITY: dict[Operation, MaskPolarity] = {
    Operation.EDIT: MaskPolarity.BLACK_EDITS,
    Operation.PRECISE_EDIT: MaskPolarity.BLACK_EDITS,
    Operation.GENERATE: MaskPolarity.BLACK_EDITS,
    Operation.REMOVE_OBJECT: MaskPolarity.WHITE_EDITS,
}


def polarity_for(operation: Operation) -> MaskPolarity:
    """How `operation` reads a mask; KeyError for an operation that takes none (a bug to catch)."""
    return EXPORT_POLARITY[Operation(operation)]


def mask_for(operation: Operation, coverage: Image.Image, grow: int = 0, feather: int = 0) -> Image.Image:
    """Coverage (255 = painted) → the "L" mask `operation` expects: only 0 and 255, painted = black
    for the black-edits endpoints, painted = white for remove object."""
    api = api_mask(coverage, grow, feather)  # black = painted
    if polarity_for(operation) is MaskPolarity.WHITE_EDITS:
        return api.point([API_KEEP - v for v in range(256)])
    return api


def mask_file_for(
    operation: Operation, coverage: Image.Image, grow: int = 0, feather: int = 0, filename: str = "mask.png"
) -> ImageFile:
    return encode_png(mask_for(operation, coverage, grow, feather), filename)


def coverage_from_mask(operation: Operation, mask: Image.Image) -> Image.Image:
    """A mask as `operation` reads it → coverage again (255 = painted): how a stored mask goes back
    on the canvas."""
    grey = mask.convert("L")
    if polarity_for(operation) is MaskPolarity.WHITE_EDITS:
        return grey.point(_TO_BINARY)
    return grey.point([255 if v < THRESHOLD else 0 for v in range(256)])


def change_ratio(coverage: Image.Image) -> float:
    """The share of pixels that the exported mask marks to change (0..1)."""
    hist = coverage.histogram()[:256]
    total = coverage.width * coverage.height
    return sum(hist[THRESHOLD:]) / total if total else 0.0


def grey_extrema(img: Image.Image) -> tuple[int, int]:
    """(min, max) of a single-band image."""
    lo, hi = img.getextrema()
    if not isinstance(lo, int | float) or not isinstance(hi, int | float):
        raise ValueError(f"expected a single-band image, not {img.mode!r}")
    return int(lo), int(hi)


def refusal(coverage: Image.Image, grow: int = 0, feather: int = 0) -> str | None:
    """Why this mask must not be sent, or None. Judged on what export would produce."""
    change = binarize(coverage, grow, feather) if (grow > 0 or feather > 0) else coverage
    lo, hi = grey_extrema(change)
    if hi < THRESHOLD:
        return EMPTY_MASK
    if lo >= THRESHOLD:
        return FULL_MASK
    return None


# ---- import -----------------------------------------------------------------------------------


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info)


def _luminance(img: Image.Image) -> Image.Image:
    """8-bit grey; 16-bit grey is scaled down rather than clipped at 255."""
    if img.mode.startswith("I;16") or img.mode == "I":
        wide = img.convert("I") if img.mode != "I" else img
        _, hi = grey_extrema(wide)
        if hi > 255:
            wide = wide.point(lambda v: v / 257)
        return wide.convert("L")
    return img.convert("L")


def coverage_from_image(img: Image.Image, rule: MaskRule = MaskRule.API) -> Image.Image:
    """A decoded mask image -> binary coverage ("L": 255 = change, 0 = keep) by ``rule``."""
    rule = MaskRule(rule)
    if rule is MaskRule.API:
        if _has_alpha(img):
            rgba = img.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            grey = Image.alpha_composite(white, rgba).convert("L")
        else:
            grey = _luminance(img)
        return grey.point([255 if v < THRESHOLD else 0 for v in range(256)])
    if _has_alpha(img):
        alpha = img.convert("RGBA").getchannel("A")
        return alpha.point(_TO_BINARY)
    return _luminance(img).point(_TO_BINARY)


def decode_mask(data: bytes, filename: str, rule: MaskRule = MaskRule.API) -> Image.Image:
    """Decode a mask file fully and return binary coverage; MaskFileError with a reason otherwise."""
    if not data:
        raise MaskFileError(f"{filename} is empty.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_INPUT_PIXELS:
                    raise MaskFileError(f"{filename} is {width}×{height} pixels; that is too big for a mask.")
                img.load()
                return coverage_from_image(img, rule)
        except MaskFileError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MaskFileError(f"{filename} declares an enormous size; refused.") from None
        except UnidentifiedImageError:
            raise MaskFileError(f"{filename} is not an image file.") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise MaskFileError(f"{filename} is damaged and cannot be read ({exc}).") from None


def read_mask_file(path: str | Path, rule: MaskRule = MaskRule.API) -> Image.Image:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MaskFileError(f"The file {path.name} does not exist.") from None
    except IsADirectoryError:
        raise MaskFileError(f"{path.name} is a folder, not an image file.") from None
    except OSError as exc:
        raise MaskFileError(f"The file {path.name} cannot be read ({exc.strerror}).") from None
    return decode_mask(data, path.name, rule)
