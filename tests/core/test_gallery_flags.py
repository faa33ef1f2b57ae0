"""The culling flag (issue 14): pick / reject / unflag kept in the index and its sidecar, so a rebuild
from the files gives it back; a v2 index gains the column with its migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, GalleryError
from ideogram_studio.gallery import schema as schema_mod
from ideogram_studio.gallery.db import Database
from ideogram_studio.gallery.models import FLAG_NONE, FLAG_PICK, FLAG_REJECT

from .gallery_fixtures import store_result


def test_flags_are_kept_and_come_back_after_a_rebuild(tmp_path: Path) -> None:
    with Gallery.open(tmp_path / "library") as g:
        picked, rejected, plain = (store_result(g, n, prompt=f"castle {n}") for n in (1, 2, 3))
        g.set_flag([picked], FLAG_PICK)
        g.set_flag([rejected], FLAG_REJECT)
        assert [_flag(g, h) for h in (picked, rejected, plain)] == [FLAG_PICK, FLAG_REJECT, FLAG_NONE]
        with pytest.raises(GalleryError, match="flag"):
            g.set_flag([plain], 2)
        g.rebuild()
        assert [_flag(g, h) for h in (picked, rejected, plain)] == [FLAG_PICK, FLAG_REJECT, FLAG_NONE]
        g.set_flag([picked], FLAG_NONE)
        assert _flag(g, picked) == FLAG_NONE


def test_a_version_2_index_gains_the_flag_column(tmp_path: Path) -> None:
    db_path = tmp_path / "v2.sqlite3"
    with sqlite3.connect(db_path) as conn:
        for script in schema_mod.MIGRATIONS[:2]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(
            "INSERT INTO images (hash, path, width, height, format, bytes, created_at, added_at) "
            "VALUES ('h', 'p', 1, 1, 'PNG', 1, '2026-01-01', '2026-01-01')"
        )
    conn.close()
    db = Database(db_path)
    try:
        assert db.user_version == schema_mod.SCHEMA_VERSION
        with db.read() as c:
            assert c.execute("SELECT flag FROM images WHERE hash = 'h'").fetchone()[0] == 0
    finally:
        db.close()


def _flag(g: Gallery, image_hash: str) -> int:
    row = g.get(image_hash)
    assert row is not None
    return row.flag
