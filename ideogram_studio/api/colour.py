"""Colour that stays true: images with an embedded ICC profile (Display P3, Adobe RGB, a camera's
profile) are converted to sRGB before the service sees them, and what the studio writes is tagged
sRGB, so a designer's photo does not arrive with shifted colours and results open in Photoshop
with a profile. Pillow's LittleCMS (ImageCms) does the maths; nothing here is hand-written colour
science.

A broken profile never stops a send: the image goes as it is and the note says so. It lives in
api/ because every upload passes through `ImageFile.from_bytes`, which calls `srgb_upload`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageCms, ImageOps

_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ColourResult:
    image: Image.Image
    #: The embedded profile's description ("Display P3"), or "" when there was none.
    source_profile: str = ""
    converted: bool = False
    note: str = ""


@cache
def srgb_profile_bytes() -> bytes:
    """An sRGB ICC profile to embed in what we write (LittleCMS's built-in sRGB)."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data: bytes = profile.tobytes()
    return data


def profile_name(icc: bytes) -> str:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = ImageCms.getProfileDescription(profile).strip()
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError):
        return ""
    return name


def is_srgb(icc: bytes) -> bool:
    return "srgb" in profile_name(icc).lower().replace(" ", "")


def to_srgb(image: Image.Image) -> ColourResult:
    """The image in sRGB, EXIF orientation applied. Images without a profile are taken as sRGB
    (what browsers and the service assume) and returned as the same object, so a caller can tell
    that its exact bytes may be sent."""
    if image.getexif().get(_ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image) or image
    icc = image.info.get("icc_profile")
    if not icc:
        return ColourResult(image)
    name = profile_name(icc)
    if not name:
        return ColourResult(image, "", False, "Its colour profile is damaged; it was sent without conversion.")
    if is_srgb(icc):
        return ColourResult(image, name)
    if image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.ImageCmsProfile(io.BytesIO(srgb_profile_bytes()))
        out_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
        if image.mode == "LA":
            image = image.convert("RGBA")
        converted = ImageCms.profileToProfile(
            image, src, dst, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, outputMode=out_mode
        )
    except (OSError, ImageCms.PyCMSError, ValueError) as exc:
        note = f"Its colour profile ({name}) could not be applied ({exc}); sent as it is."
        return ColourResult(image, name, False, note)
    assert converted is not None
    converted.info["icc_profile"] = srgb_profile_bytes()
    return ColourResult(converted, name, True, f"Converted from {name} to sRGB.")


def srgb_upload(data: bytes, fmt: str) -> tuple[bytes, int, int, str] | None:
    """Bytes to upload instead of `data` when its embedded profile is not sRGB: the pixels
    converted (orientation applied) and encoded losslessly as PNG — a JPEG is re-encoded at high
    quality rather than turned into a much larger PNG. None when nothing needs converting."""
    with Image.open(io.BytesIO(data)) as img:
        icc = img.info.get("icc_profile")
        if not icc or is_srgb(icc):
            return None
        img.load()
        result = to_srgb(img)
    if not result.converted:
        return None if not result.note else (data, img.width, img.height, result.note)
    out = io.BytesIO()
    image = result.image
    if fmt == "JPEG" and image.mode == "RGB":
        image.save(out, "JPEG", quality=95, subsampling=0, icc_profile=srgb_profile_bytes())
    else:
        image.save(out, "PNG" if fmt != "WEBP" else "WEBP", lossless=True, icc_profile=srgb_profile_bytes())
    return out.getvalue(), image.width, image.height, result.note
