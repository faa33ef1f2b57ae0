"""Own styles (save, rename, export/import one file, hostile files) and saved searches."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.gallery.saved_searches import SavedSearchError, SavedSearches
from ideogram_studio.gallery.styles import StyleFileError, StyleLibrary

FIELDS = {"style_type": "DESIGN", "style_preset": "WATERCOLOR", "style_codes": ["AABBCCDD"],
          "color_palette": {"name": "EMBER"}, "rendering_speed": "TURBO"}


def _png(colour: tuple[int, int, int] = (200, 10, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buf, "PNG")
    return buf.getvalue()


def test_save_list_rename_delete(tmp_path: Path) -> None:
    lib = StyleLibrary(tmp_path)
    s = lib.save("Brand  kit", FIELDS, preview_png=_png(), references=[("png", _png((0, 0, 255)))])
    assert s.name == "Brand kit" and s.preview is not None and len(s.references) == 1
    assert dict(s.fields) == FIELDS
    lib.save("Another", {"style_type": "REALISTIC"})
    assert [x.name for x in lib.all()] == ["Another", "Brand kit"]
    assert lib.rename(s.id, "Client A").name == "Client A"
    assert lib.get(s.id) is not None and lib.get(s.id).references  # type: ignore[union-attr]
    lib.delete(s.id)
    assert [x.name for x in lib.all()] == ["Another"]
    assert not [p for p in (tmp_path / "styles").iterdir() if p.name.startswith(".tmp")]


def test_fields_outside_a_style_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StyleFileError, match="prompt is not part of a style"):
        StyleLibrary(tmp_path).save("x", {"prompt": "a cat"})


def test_export_import_round_trip_between_libraries(tmp_path: Path) -> None:
    a, b = StyleLibrary(tmp_path / "a"), StyleLibrary(tmp_path / "b")
    s = a.save("Brand", FIELDS, preview_png=_png(), references=[("png", _png()), ("png", _png((1, 2, 3)))])
    got = b.import_bytes(a.export_bytes(s.id), "Brand.idstyle")
    assert got.name == "Brand" and dict(got.fields) == FIELDS and len(got.references) == 2
    assert got.preview is not None and got.preview.read_bytes() == s.preview.read_bytes()  # type: ignore[union-attr]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


GOOD_META = json.dumps({"kind": "ideogram-studio/style", "version": 1, "name": "x", "fields": {}}).encode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not a zip", "not a zip"),
        (_zip({"preview.png": _png()}), "no style.json"),
        (_zip({"style.json": GOOD_META, "../evil.png": _png()}), "unexpected file"),
        (_zip({"style.json": GOOD_META, "/etc/passwd": b"x"}), "unexpected file"),
        (_zip({"style.json": GOOD_META, "CON": b"x"}), "unexpected file"),
        (_zip({"style.json": b"{not json"}), "not JSON"),
        (_zip({"style.json": json.dumps({"kind": "other"}).encode()}), "not a style"),
        (_zip({"style.json": GOOD_META, "preview.png": b"\x89PNG broken"}), "damaged"),
        (_zip({"style.json": GOOD_META, "ref-1.png": b"\0" * (13 * 1024 * 1024)}), "too large"),
    ],
)
def test_hostile_or_damaged_style_files_refused_leaving_nothing(tmp_path: Path, data: bytes, words: str) -> None:
    lib = StyleLibrary(tmp_path)
    with pytest.raises(StyleFileError, match=words):
        lib.import_bytes(data, "x.idstyle")
    assert lib.all() == []
    assert not (tmp_path.parent / "evil.png").exists()
    assert not (tmp_path / "styles").exists() or not any((tmp_path / "styles").iterdir())


def test_saved_searches(tmp_path: Path) -> None:
    s = SavedSearches(tmp_path)
    s.add("Posters", "tag:poster rating:>=4")
    s.add("Night", "castle -day")
    with pytest.raises(SavedSearchError, match="already"):
        s.add("posters", "x")
    with pytest.raises(SavedSearchError, match="empty"):
        s.add("Empty", "   ")
    s.rename("Night", "Night castles")
    s.move("Night castles", 0)
    s.update_query("Posters", "tag:poster")
    again = SavedSearches(tmp_path)  # written to disk, read back
    assert [(x.name, x.query) for x in again.all()] == [("Night castles", "castle -day"), ("Posters", "tag:poster")]
    again.remove("Posters")
    assert [x.name for x in SavedSearches(tmp_path).all()] == ["Night castles"]


def test_damaged_saved_searches_file_kept_aside(tmp_path: Path) -> None:
    (tmp_path / "saved_searches.json").write_text("{broken")
    assert SavedSearches(tmp_path).all() == []
    assert (tmp_path / "saved_searches.damaged.json").read_text() == "{broken"
