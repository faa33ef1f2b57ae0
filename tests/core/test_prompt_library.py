"""The prompt library: kept, searched as you type, starred and named, exported and imported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery.prompt_library import PromptFileError, PromptLibrary


@pytest.fixture
def library(tmp_path: Path) -> Iterator[PromptLibrary]:
    lib = PromptLibrary(tmp_path)
    yield lib
    lib.close()


def test_every_sent_prompt_is_kept_newest_first(library: PromptLibrary) -> None:
    library.record("a lighthouse at dusk", mode="generate", model="ideogram-3", when="2026-12-01T10:00:00Z")
    library.record("a harbour in fog", mode="remix", model="ideogram-4", when="2026-12-01T11:00:00Z")
    library.record("a lighthouse at dusk", mode="edit", model="ideogram-3", when="2026-12-01T12:00:00Z")
    entries = library.search()
    assert [e.text for e in entries] == ["a lighthouse at dusk", "a harbour in fog"]
    assert entries[0].uses == 2 and entries[0].mode == "edit" and entries[0].first_used == "2026-12-01T10:00:00Z"
    library.record("   ")
    assert library.count() == 2


def test_search_matches_anywhere_short_and_long(library: PromptLibrary) -> None:
    for text in ["a lighthouse at dusk", "a harbour in fog", "50% off sale_poster"]:
        library.record(text)
    assert [e.text for e in library.search("ligh")] == ["a lighthouse at dusk"]
    assert [e.text for e in library.search("hou")] == ["a lighthouse at dusk"]
    assert {e.text for e in library.search("fo")} == {"a harbour in fog"}
    assert [e.text for e in library.search("%")] == ["50% off sale_poster"]  # LIKE wildcards are literal
    assert [e.text for e in library.search('"quoted')] == []


def test_star_name_forget(library: PromptLibrary) -> None:
    library.record("poster A", when="2026-12-01T10:00:00Z")
    library.record("poster B", when="2026-12-01T11:00:00Z")
    a = library.search("poster A")[0]
    library.star(a.id, "Brand hero")
    entries = library.search()
    assert entries[0].text == "poster A" and entries[0].starred and entries[0].name == "Brand hero"
    assert [e.text for e in library.search("hero")] == ["poster A"]  # names are searched too
    assert [e.text for e in library.search(starred_only=True)] == ["poster A"]
    library.unstar(a.id)
    assert not library.search(starred_only=True)
    library.forget(a.id)
    assert [e.text for e in library.search()] == ["poster B"]


def test_export_and_import_round_trip(tmp_path: Path, library: PromptLibrary) -> None:
    library.record("kept")
    library.record("starred one", mode="generate")
    library.star(library.search("starred")[0].id, "Mine")
    out = tmp_path / "prompts.json"
    assert library.write_export(out) == 1
    (tmp_path / "other").mkdir()
    other = PromptLibrary(tmp_path / "other")
    assert other.import_file(out) == 1
    got = other.search(starred_only=True)
    assert [(e.text, e.name, e.mode) for e in got] == [("starred one", "Mine", "generate")]
    other.close()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "not a prompt list"),
        (json.dumps({"kind": "something-else"}), "not a prompt list exported"),
        (json.dumps({"kind": "ideogram-studio/prompts", "version": 9, "prompts": []}), "another version"),
        (
            json.dumps({"kind": "ideogram-studio/prompts", "version": 1, "prompts": [{"text": "ok"}, {"text": 3}]}),
            "prompt 2",
        ),
        ("[" * 100_000 + "]" * 100_000, "not a prompt list"),
    ],
)
def test_damaged_imports_are_refused_whole(tmp_path: Path, library: PromptLibrary, content: str, words: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(content, "utf-8")
    with pytest.raises(PromptFileError, match=words):
        library.import_file(path)
    assert library.count() == 0  # nothing half-imported


def test_search_pages_newest_first_and_finds_old_rare_matches(
    library: PromptLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ideogram_studio.gallery.prompt_library as module

    monkeypatch.setattr(module, "_SCAN_FIRST", 3)  # the scan window, made small enough to leave
    library.record("an old rare gryphon", when="2026-01-01T00:00:00Z")
    for day in range(10, 20):
        library.record(f"common poster {day}", when=f"2026-02-{day}T00:00:00Z")
    assert [e.text for e in library.search("poster", limit=2)] == ["common poster 19", "common poster 18"]
    assert [e.text for e in library.search("gryph")] == ["an old rare gryphon"]  # beyond the window
    assert len(library.search("common", limit=50)) == 10  # the window held 3: the index found the rest


def test_a_full_disk_is_a_storage_error_in_words(library: PromptLibrary) -> None:
    import sqlite3

    from ideogram_studio.gallery.errors import StorageError
    from ideogram_studio.gallery.prompt_library import _storage

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # type: ignore[attr-defined]  # SQLITE_FULL, as SQLite sets it
    error = _storage(full, library.path)
    assert isinstance(error, StorageError) and "full" in str(error)
