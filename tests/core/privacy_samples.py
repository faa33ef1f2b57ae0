"""Sample files for the privacy tests: a phone photo full of metadata, and the check that none is left."""

from __future__ import annotations

import io

from PIL import Image, ImageCms

GPS_IFD, MODEL, MAKE, ARTIST, ORIENTATION, DATETIME_ORIGINAL = 0x8825, 0x0110, 0x010F, 0x013B, 0x0112, 0x9003
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.48N" '
    b'exif:GPSLongitude="2,17.66E"/></rdf:RDF></x:xmpmeta>'
)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def picture(size: tuple[int, int] = (96, 64)) -> Image.Image:
    img = Image.new("RGB", size)
    img.putdata([((x * 7) % 256, (y * 11) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    return img


def phone_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Google"
    exif[MODEL] = "Pixel 8 Pro"
    exif[ARTIST] = "Jane Doe"
    exif[ORIENTATION] = orientation
    exif.get_ifd(0x8769)[DATETIME_ORIGINAL] = "2026:06:01 18:42:07"
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    return exif


def phone_jpeg(orientation: int = 6) -> bytes:
    buf = io.BytesIO()
    picture().save(
        buf, "JPEG", quality=90, exif=phone_exif(orientation).tobytes(), icc_profile=SRGB, xmp=XMP,
        comment=b"taken at 12 rue des Lilas",
    )  # fmt: skip
    # A maker trailer after the end of the image, as some phones write.
    return buf.getvalue() + b"SAMSUNG-TRAILER GPS 48.8582 2.2945"


def assert_no_life(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        assert GPS_IFD not in exif and MODEL not in exif and MAKE not in exif and ARTIST not in exif
        assert not exif.get_ifd(0x8769)
        assert "xmp" not in img.info and "comment" not in img.info
    for needle in (b"Pixel 8", b"Jane Doe", b"GPS", b"ns.adobe.com", b"rue des Lilas", b"2026:06:01"):
        assert needle not in data


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB").tobytes()
