"""Issue 20, on disk: the library is private (0700/0600), no symbolic link inside it is written
through, older loose folders are tightened, exports carry no one's life (and, if asked, no metadata)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.gallery import KEYWORD, Gallery
from ideogram_studio.gallery.errors import StorageError
from ideogram_studio.gallery.files import FileStore, LinkRefusedError
from ideogram_studio.logs import setup_logging
from ideogram_studio.private_files import tighten, use_private_umask, user_file_mode
from ideogram_studio.settings import Settings

from .helpers import png_bytes
from .privacy_samples import GPS_IFD, MODEL, assert_no_life, phone_jpeg

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most desktops give (022): what the studio must not rely on."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def loose(root: Path) -> list[str]:
    """Everything under `root` (and root) that group or others may read, write or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        st = os.lstat(path)
        if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {stat.filemode(st.st_mode)}")
    return found


# ---- private by default --------------------------------------------------------------------------


def test_the_library_is_private_even_under_umask_022(tmp_path: Path, usual_umask: None) -> None:
    with Gallery.open(tmp_path / "library") as gallery:
        gallery.store_image(png_bytes(64, 48), operation="generate", request_fields={"prompt": "a secret plan"},
                            response_fields={"seed": 1})  # fmt: skip
        gallery.store_input(png_bytes(32, 32), "image")
        gallery.add_tags([gallery.ids()[0]], ["client-x"])
        names = {p.name for p in (tmp_path / "library").rglob("*")}
        assert "index.sqlite3-wal" in names  # the journal files exist while it is open, and are private too
        assert loose(tmp_path / "library") == []


def test_settings_and_logs_are_private_under_umask_022(tmp_path: Path, usual_umask: None) -> None:
    Settings(budget_cap_usd="5").save(tmp_path / "config" / "IdeogramStudio" / "settings.json")
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        path = setup_logging(tmp_path / "state" / "IdeogramStudio" / "log")
        logging.getLogger("test").error("a crash report with a prompt")
    finally:
        for handler in root.handlers[len(handlers):]:
            root.removeHandler(handler)
            handler.close()
    assert path.read_text()
    assert loose(tmp_path / "config") == [] and loose(tmp_path / "state") == []


def test_the_private_umask_covers_what_others_create_and_exports_keep_the_designers_mode(
    tmp_path: Path, usual_umask: None
) -> None:
    try:
        use_private_umask()
        (tmp_path / "made-by-qt.conf").write_text("x")
        assert stat.S_IMODE((tmp_path / "made-by-qt.conf").stat().st_mode) == 0o600
        assert user_file_mode() == 0o644
    finally:
        os.umask(0o022)


def test_loose_folders_of_an_older_version_are_tightened_with_a_note(
    tmp_path: Path, usual_umask: None, caplog: pytest.LogCaptureFixture
) -> None:
    old = tmp_path / "library"
    (old / "images" / "ab").mkdir(parents=True, mode=0o755)
    (old / "images" / "ab" / "abc.png").write_bytes(b"x")
    (old / "index.sqlite3").write_bytes(b"")
    os.chmod(old, 0o755)
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    (old / "link").symlink_to(outside)
    with caplog.at_level(logging.WARNING):
        changed = tighten([old])
    assert loose(old) == []
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a link is never followed
    assert len(changed) == 5
    assert any("now private" in r.getMessage() for r in caplog.records)
    assert tighten([old]) == []  # already private: nothing to do, nothing walked


# ---- no symbolic link is written through ---------------------------------------------------------------


def test_a_symlinked_shard_folder_is_refused(tmp_path: Path) -> None:
    data = png_bytes(40, 30)
    digest = hashlib.sha256(data).hexdigest()
    outside = tmp_path / "outside"
    outside.mkdir()
    with Gallery.open(tmp_path / "library") as gallery:
        images = tmp_path / "library" / "images"
        images.mkdir(exist_ok=True)
        (images / digest[:2]).symlink_to(outside)
        with pytest.raises(LinkRefusedError) as caught:
            gallery.store_input(data, "image")
        assert gallery.get(digest) is None
    assert list(outside.iterdir()) == []  # nothing landed outside the library
    assert f"images/{digest[:2]}" in caught.value.message and "symbolic link" in caught.value.message
    assert isinstance(caught.value, StorageError)  # the queue reports it as a storage problem


def test_a_link_planted_in_quarantine_is_not_written_through(tmp_path: Path) -> None:
    root = tmp_path / "library"
    store = FileStore(root)
    damaged = root / "images" / "ab" / "abcdef.png"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not really a png")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (root / "quarantine").mkdir()
    (root / "quarantine" / "abcdef.png.why.txt").symlink_to(victim)
    (root / "quarantine" / "abcdef.png").symlink_to(tmp_path / "nowhere.png")  # dangling
    moved = store.quarantine(damaged, "damaged")
    assert moved is not None and not moved.is_symlink() and moved.read_bytes() == b"not really a png"
    assert victim.read_text() == "precious"
    assert (root / "quarantine" / "abcdef.png").is_symlink()  # left where it was, for the designer to see


def test_a_symlinked_quarantine_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "library"
    store = FileStore(root)
    damaged = root / "images" / "ab" / "abcdef.png"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"x")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root.joinpath("quarantine").symlink_to(elsewhere)
    with pytest.raises(LinkRefusedError):
        store.quarantine(damaged, "damaged")
    assert damaged.exists() and list(elsewhere.iterdir()) == []


def test_a_symlinked_index_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "library"
    root.mkdir()
    (root / "index.sqlite3").symlink_to(tmp_path / "elsewhere.sqlite3")
    with pytest.raises(LinkRefusedError):
        Gallery.open(root)
    assert not (tmp_path / "elsewhere.sqlite3").exists()


# ---- exports -----------------------------------------------------------------------------------------


def test_an_export_carries_no_ones_life_and_pixels_only_carries_no_metadata(
    tmp_path: Path, usual_umask: None
) -> None:
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(phone_jpeg())
    with Gallery.open(tmp_path / "library") as gallery:
        report = gallery.import_paths([photo])
        ((_, photo_hash),) = report.imported
        with Image.open(gallery.path_for(photo_hash)) as kept:
            assert GPS_IFD in kept.getexif()  # kept as it is, at home
        result = gallery.store_image(png_bytes(64, 48), operation="generate",
                                     request_fields={"prompt": "a red kite"}, response_fields={"seed": 4})  # fmt: skip
        with_meta = gallery.export([photo_hash, result.hash], tmp_path / "out", sidecar=True)
        pixels_only = gallery.export([photo_hash, result.hash], tmp_path / "bare", sidecar=True, metadata=False)
    by_hash = dict(with_meta.written)
    assert_no_life(by_hash[photo_hash].read_bytes())
    with Image.open(by_hash[result.hash]) as img:
        assert json.loads(img.text[KEYWORD])["request"]["prompt"] == "a red kite"  # type: ignore[attr-defined]
    bare = dict(pixels_only.written)
    assert_no_life(bare[photo_hash].read_bytes())
    with Image.open(bare[result.hash]) as img:
        assert not img.text  # type: ignore[attr-defined]
    assert not list((tmp_path / "bare").glob("*.json"))  # no sidecar either
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".jpg", ".json", ".json", ".png"]
    # Copies to share get the designer's usual mode, not the library's 0600.
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()} == {0o644}
    with Image.open(io.BytesIO(by_hash[photo_hash].read_bytes())) as img:
        assert MODEL not in img.getexif()
