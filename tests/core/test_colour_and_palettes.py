"""Colour conversion to sRGB (Display P3 / Adobe RGB made with ImageCms) and palette files."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from ideogram_studio.api.colour import is_srgb, profile_name, to_srgb
from ideogram_studio.api.palette import ColorPalette, PaletteMember
from ideogram_studio.imaging.palette_files import (
    NamedPalette,
    PaletteFileError,
    palettes_from_ase,
    palettes_from_json,
    palettes_to_ase,
    palettes_to_json,
    read_palette_file,
)
from tests.core.icc_profiles import PROFILES, matrix_profile
from tests.core.icc_profiles import delta_e as _delta_e
from tests.core.icc_profiles import lab_of as _lab


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_wide_gamut_source_converted_to_srgb_within_delta_e_2(name: str) -> None:
    profile = matrix_profile(name)
    patch = (200, 60, 40)
    src = Image.new("RGB", (8, 8), patch)
    buf = io.BytesIO()
    src.save(buf, "PNG", icc_profile=profile.tobytes())
    loaded = Image.open(io.BytesIO(buf.getvalue()))
    result = to_srgb(loaded)
    assert result.converted and "test" in result.source_profile
    assert is_srgb(result.image.info["icc_profile"])
    got = result.image.getpixel((4, 4))
    expected_lab = _lab(patch, profile)
    got_lab = _lab(got, ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")))
    assert _delta_e(expected_lab, got_lab) <= 2.0
    # and the conversion did something: the raw numbers sent as sRGB would be far off
    assert _delta_e(expected_lab, _lab(patch, ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")))) > 2.0


def test_untagged_and_srgb_images_pass_unchanged() -> None:
    img = Image.new("RGB", (4, 4), (10, 20, 30))
    assert to_srgb(img).image is img and not to_srgb(img).converted
    tagged = Image.new("RGB", (4, 4), (10, 20, 30))
    tagged.info["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert not to_srgb(tagged).converted


def test_broken_profile_sends_as_is_with_a_note() -> None:
    img = Image.new("RGB", (4, 4), (10, 20, 30))
    img.info["icc_profile"] = b"not a profile at all"
    result = to_srgb(img)
    assert not result.converted and "damaged" in result.note
    assert profile_name(b"junk") == ""


def test_exif_orientation_applied() -> None:
    img = Image.new("RGB", (4, 2), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    assert to_srgb(Image.open(io.BytesIO(buf.getvalue()))).image.size == (2, 4)


# ---- palette files ---------------------------------------------------------------------------
BRAND = NamedPalette("Brand", ColorPalette(members=(PaletteMember("#112233", 0.5), PaletteMember("#ABCDEF"))))


def test_json_round_trip_keeps_names_and_weights() -> None:
    out = palettes_from_json(palettes_to_json([BRAND, NamedPalette("Sunset", ColorPalette.preset("EMBER"))]))
    assert out[0] == BRAND
    assert out[1].palette.name is not None and str(out[1].palette.name) == "EMBER"


def test_ase_round_trip_colours() -> None:
    out = palettes_from_ase(palettes_to_ase([BRAND]))
    assert [(p.name, [m.color_hex for m in p.palette.members]) for p in out] == [("Brand", ["#112233", "#ABCDEF"])]


def test_ase_from_another_tool_with_cmyk_lab_gray_and_more_than_eight() -> None:
    def name(t: str) -> bytes:
        e = (t + "\0").encode("utf-16-be")
        return struct.pack(">H", len(e) // 2) + e

    def block(kind: int, body: bytes) -> bytes:
        return struct.pack(">HI", kind, len(body)) + body

    entries = [block(1, name("g") + b"Gray" + struct.pack(">f", 0.5) + b"\0\x02")]
    entries.append(block(1, name("c") + b"CMYK" + struct.pack(">4f", 0, 1, 1, 0) + b"\0\x02"))
    entries.append(block(1, name("l") + b"LAB " + struct.pack(">3f", 1.0, 0, 0) + b"\0\x02"))
    entries += [block(1, name(f"r{i}") + b"RGB " + struct.pack(">3f", i / 10, 0, 0) + b"\0\x02") for i in range(7)]
    data = b"ASEF" + struct.pack(">HHI", 1, 0, len(entries)) + b"".join(entries)
    (pal,) = palettes_from_ase(data, "Swatches.ase")
    hexes = [m.color_hex for m in pal.palette.members]
    assert len(hexes) == 8 and hexes[0] == "#808080" and hexes[1] == "#FF0000"
    assert all(int(hexes[2][i : i + 2], 16) >= 0xFC for i in (1, 3, 5))  # Lab white
    assert any("first 8" in n for n in pal.notes) and any("CMYK" in n for n in pal.notes)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04", "not an Adobe"),
        (b"ASEF" + struct.pack(">HHI", 1, 0, 3) + b"\x00\x01\x00\x00", "damaged|cut short"),
        (b"ASEF" + struct.pack(">HHI", 1, 0, 10**8), "not a real swatch"),
        (b"ASEF" + struct.pack(">HHI", 1, 0, 0), "no colours"),
    ],
)
def test_bad_ase_refused(data: bytes, words: str) -> None:
    with pytest.raises(PaletteFileError, match=words):
        palettes_from_ase(data)


def test_bad_json_refused_whole(tmp_path: Path) -> None:
    bad = (
        '{"kind": "ideogram-studio/palettes", "version": 1, '
        '"palettes": [{"name": "x", "palette": {"members": [{"color_hex": "red"}]}}]}'
    )
    (tmp_path / "p.json").write_text(bad)
    with pytest.raises(PaletteFileError, match="palette 1"):
        read_palette_file(tmp_path / "p.json")
    (tmp_path / "q.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PaletteFileError, match="not text"):
        read_palette_file(tmp_path / "q.json")


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "Display P3 (test)"), ("JPEG", "Adobe RGB (1998) (test)")])
def test_uploads_in_a_wide_gamut_arrive_in_srgb(fmt: str, name: str) -> None:
    from ideogram_studio.api.images import ImageFile

    profile = matrix_profile(name)
    patch = (170, 110, 90)  # a skin tone: inside sRGB, so a correct conversion lands on it
    buf = io.BytesIO()
    Image.new("RGB", (32, 16), patch).save(buf, fmt, icc_profile=profile.tobytes(), quality=100)
    sent = ImageFile.from_bytes(buf.getvalue(), "photo." + fmt.lower())
    assert "to sRGB" in sent.colour_note and sent.size == (32, 16)
    got = Image.open(io.BytesIO(sent.data))
    assert is_srgb(got.info["icc_profile"])
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    assert _delta_e(_lab(patch, profile), _lab(got.convert("RGB").getpixel((16, 8)), srgb)) <= 2.0
    plain = io.BytesIO()
    Image.new("RGB", (8, 8), patch).save(plain, "PNG")
    untouched = ImageFile.from_bytes(plain.getvalue())
    assert untouched.colour_note == "" and untouched.data == ImageFile.from_bytes(untouched.data).data


def test_stored_pngs_are_tagged_srgb_without_touching_pixels() -> None:
    from ideogram_studio.gallery.pngchunks import idat_bytes, iter_chunks, splice_itxt

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "PNG")
    plain = buf.getvalue()
    tagged = splice_itxt(plain, "k", "v", tag_srgb=True)
    types = [c.type for c in iter_chunks(tagged)]
    assert types[:2] == [b"IHDR", b"sRGB"] and idat_bytes(tagged) == idat_bytes(plain)
    assert Image.open(io.BytesIO(tagged)).info.get("srgb") == 0
    again = splice_itxt(tagged, "k", "w", tag_srgb=True)
    assert [c.type for c in iter_chunks(again)].count(b"sRGB") == 1  # never twice
    icc = io.BytesIO()
    Image.new("RGB", (8, 8)).save(icc, "PNG", icc_profile=matrix_profile("Display P3 (test)").tobytes())
    assert b"sRGB" not in [c.type for c in iter_chunks(splice_itxt(icc.getvalue(), "k", "v", tag_srgb=True))]


def test_palette_store_saves_renames_reorders_imports(tmp_path: Path) -> None:
    from ideogram_studio.imaging.palette_files import PaletteStore

    store = PaletteStore(tmp_path / "config" / "palettes.json")
    assert store.load() == []
    store.add(BRAND)
    store.add(NamedPalette("Sunset", ColorPalette.preset("EMBER")))
    store.add(NamedPalette("brand", ColorPalette(members=(PaletteMember("#000000"),))))  # same name: replaced
    assert [p.name for p in store.load()] == ["brand", "Sunset"]
    store.rename("Sunset", "Dusk")
    store.move("Dusk", -1)
    assert [p.name for p in store.load()] == ["Dusk", "brand"]
    ase = tmp_path / "kit.ase"
    ase.write_bytes(palettes_to_ase([BRAND]))
    added, items = store.import_file(ase)
    assert [p.name for p in added] == ["Brand"] and [p.name for p in items] == ["Dusk", "Brand"]
    (tmp_path / "bad.ase").write_bytes(b"junk")
    with pytest.raises(PaletteFileError):
        store.import_file(tmp_path / "bad.ase")
    assert [p.name for p in store.load()] == ["Dusk", "Brand"]  # nothing half-imported
    store.remove("Dusk")
    assert [p.name for p in store.load()] == ["Brand"]
