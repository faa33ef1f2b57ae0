"""A downscaled JPEG is encoded through a temporary file (imaging/source_prep.py: into memory, Pillow's
optimised JPEG encoder keeps the GIL for the whole image): the bytes are those an encode into memory
gives, and the temporary folder is gone afterwards."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.imaging import source_prep
from ideogram_studio.imaging.source_prep import JPEG_QUALITY


def test_a_jpeg_through_a_file_is_byte_for_byte_the_jpeg_made_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = Image.effect_noise((640, 360), 50).convert("RGB")
    expected = io.BytesIO()
    img.save(expected, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    assert source_prep._encode_bytes(img, "JPEG") == expected.getvalue()
    assert list(temp.iterdir()) == []
    png = source_prep._encode_bytes(img, "PNG")
    assert Image.open(io.BytesIO(png)).tobytes() == img.tobytes()
