"""Image files given to the API: read, probed and checked once, before any request is built."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ImageFileError
from .limits import ACCEPTED_FORMATS, MAX_INPUT_PIXELS, MB

if TYPE_CHECKING:
    from PIL import Image

# Pillow (and the colour and metadata code built on it) is imported when an image is first read:
# the studio's forms import this module for the type, and take typing before Pillow is loaded.

_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}


@dataclass(frozen=True, repr=False)
class ImageFile:
    """The bytes of an image as they will be sent, plus what we learned by decoding it.

    Made from a file or bytes, it holds them without personal metadata (place, camera, owner,
    dates: metadata_strip.py), losslessly: what is uploaded and what the queue stores as the job's
    input are these bytes. The ICC profile and the studio's own request metadata stay; an image in
    another colour space than sRGB (Display P3, Adobe RGB) is converted to sRGB first (colour.py)."""

    data: bytes
    #: The local name, for messages to the designer; never sent (see `upload_name`). Two files
    #: with the same bytes are the same image.
    filename: str = field(compare=False)
    mime: str
    width: int
    height: int
    format: str
    mode: str
    #: "Converted from Display P3 to sRGB." when the pixels were converted (colour.py), else "".
    colour_note: str = field(default="", compare=False)

    def __repr__(self) -> str:
        return f"ImageFile({self.filename!r}, {self.width}x{self.height} {self.format}, {len(self.data)} B)"

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def upload_name(self) -> str:
        """The neutral file name sent with the bytes: a local name (IMG_2041.jpg, a client's
        name) says something about the designer, and the service has no use for it."""
        return "image" + _EXTENSIONS.get(self.format, ".bin")

    @classmethod
    def from_path(cls, path: str | Path) -> ImageFile:
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ImageFileError(f"The file {path.name} does not exist.") from None
        except IsADirectoryError:
            raise ImageFileError(f"{path.name} is a folder, not an image file.") from None
        except OSError as exc:
            raise ImageFileError(f"The file {path.name} cannot be read ({exc.strerror}).") from None
        return cls.from_bytes(data, path.name)

    @classmethod
    def from_bytes(cls, data: bytes, filename: str = "image.png") -> ImageFile:
        """Decode fully, so a corrupt or truncated file is found now, not by the server."""
        if not data:
            raise ImageFileError(f"{filename} is empty.")
        from PIL import Image, UnidentifiedImageError

        from .colour import srgb_upload
        from .metadata_strip import UPLOAD_KEPT_TEXT, MetadataStripError, strip_metadata

        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(data)) as img:
                    fmt = img.format or ""
                    width, height = img.size
                    if width * height > MAX_INPUT_PIXELS:
                        raise ImageFileError(
                            f"{filename} is {width}×{height} pixels; images over "
                            f"{MAX_INPUT_PIXELS // 1_000_000} megapixels are refused."
                        )
                    if fmt not in ACCEPTED_FORMATS:
                        raise ImageFileError(
                            f"{filename} is a {fmt or 'unknown'} image; the API takes PNG, JPEG or WebP."
                        )
                    img.load()
                    mode = img.mode
            except ImageFileError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise ImageFileError(
                    f"{filename} declares an enormous size (a decompression bomb?); refused."
                ) from None
            except UnidentifiedImageError:
                raise ImageFileError(f"{filename} is not an image file.") from None
            except (OSError, SyntaxError, ValueError) as exc:
                raise ImageFileError(f"{filename} is damaged and cannot be decoded ({exc}).") from None
        try:
            data = strip_metadata(data, fmt, keep_text=UPLOAD_KEPT_TEXT)
        except MetadataStripError as exc:
            raise ImageFileError(f"{filename} is damaged ({exc}).") from None
        colour_note = ""
        converted = srgb_upload(data, fmt)
        if converted is not None:
            data, width, height, colour_note = converted
            with Image.open(io.BytesIO(data)) as img:
                mode = img.mode
        return cls(data, filename, ACCEPTED_FORMATS[fmt], width, height, fmt, mode, colour_note)

    def pil(self) -> Image.Image:
        """A fresh decoded copy (callers may modify it)."""
        from PIL import Image

        img = Image.open(io.BytesIO(self.data))
        img.load()
        return img

    def grey_extrema(self) -> tuple[int, int]:
        """(darkest, lightest) of the image in 8-bit grey: how a mask's rules are checked. Decoded
        once per file and kept (the bytes never change): an 8K mask takes ~0.1 s to decode, and the
        worker that encoded it asks first, so the GUI thread's check of the request finds it known."""
        known: tuple[int, int] | None = self.__dict__.get("_grey_extrema")
        if known is None:
            extrema = self.pil().convert("L").getextrema()
            lo, hi = extrema[0], extrema[1]
            assert isinstance(lo, int) and isinstance(hi, int)
            known = (lo, hi)
            # (a frozen dataclass: kept beside its fields, never compared; two threads asking at once
            # both decode, and store the same answer)
            self.__dict__["_grey_extrema"] = known
        return known

    def megabytes(self) -> float:
        return len(self.data) / MB


def encode_png(img: Image.Image, filename: str = "image.png") -> ImageFile:
    """Encode a Pillow image as PNG and wrap it (used for masks and converted inputs)."""
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return ImageFile(buf.getvalue(), filename, "image/png", img.width, img.height, "PNG", img.mode)
