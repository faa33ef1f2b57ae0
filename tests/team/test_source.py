"""The team library behind the library page's source interface (gallery/library_source.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.library_source import Capability, LibrarySource
from ideogram_studio.gallery.search_syntax import parse_search
from ideogram_studio.team import Outbox, Publisher
from ideogram_studio.team.source import TeamLibrarySource, TeamSourceError

from .helpers import TeamEnv, add_edit, add_results

Sources = tuple[TeamLibrarySource, TeamLibrarySource, list[str]]


@pytest.fixture
def sources(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> Iterator[Sources]:
    hashes = add_results(gallery, 4, tags=("draft",))
    result, source, mask = add_edit(gallery)
    Publisher(gallery, team_env.library("alice"), Outbox(tmp_path / "outbox.sqlite")).publish([*hashes, result])
    alice = TeamLibrarySource(team_env.library("alice", cache="alice-page"))
    bob = TeamLibrarySource(team_env.library("bob", cache="bob-page"))
    yield alice, bob, [*hashes, result, source, mask]
    alice.close()
    bob.close()


def test_browsing_rows_detail_lineage_and_thumbnails(sources: tuple[TeamLibrarySource, TeamLibrarySource,
                                                                    list[str]]) -> None:
    alice, _, hashes = sources
    assert isinstance(alice, LibrarySource)
    assert Capability.FAVOURITE not in alice.capabilities and Capability.TAGS in alice.capabilities
    everything = parse_search("")
    page = alice.id_page(everything)
    assert len(page.ids) == 5 and page.next is None and alice.count(everything) == 5
    rows = alice.rows_for(page.ids)
    assert [r.id for r in rows] == page.ids
    edit = next(r for r in rows if r.operation == "edit")
    assert edit.prompt == "replace the sky with a nebula" and edit.path == ""
    info = alice.detail(edit.hash)
    assert info is not None and info.metadata["request"]["prompt"] == edit.prompt
    assert {(p.parent, p.role) for p in info.parents} == {(hashes[5], "image"), (hashes[6], "mask")}
    assert [step.hash for step in info.chain] == [hashes[5], edit.hash] and info.chain[-1].mask == hashes[6]
    assert alice.submit_thumbnail(edit.hash, 256).result(timeout=30).stat().st_size > 0
    assert alice.facets(everything, ["tag", "favourite"]) == {"tag": [alice.facets(everything)["tag"][0]],
                                                             "favourite": []}
    assert alice.local_file(edit) is None


def test_an_edit_from_a_stale_page_is_refused_with_the_new_state(
        sources: tuple[TeamLibrarySource, TeamLibrarySource, list[str]]) -> None:
    alice, bob, _ = sources
    ids = alice.id_page(parse_search("")).ids
    target = [next(r.id for r in alice.rows_for(ids) if r.tags == ("draft",))]
    bob.rows_for(bob.id_page(parse_search("")).ids)  # both look at the same grid

    bob.add_tags(target, ["approved"])
    with pytest.raises(TeamSourceError, match="bob changed this image") as info:
        alice.remove_tags(target, ["draft"])
    assert info.value.current.tags == ("approved", "draft")
    alice.rows_for(target)  # the page shows the truth again...
    alice.remove_tags(target, ["draft"])  # ...and the edit goes through on top of it
    alice.add_tags(target, ["final"])  # its own edits move the version it remembers
    assert alice.rows_for(target)[0].tags == ("approved", "final")


def test_what_the_team_does_not_allow_is_said(sources: tuple[TeamLibrarySource, TeamLibrarySource,
                                                             list[str]]) -> None:
    alice, _, _ = sources
    ids = alice.id_page(parse_search("")).ids
    alice.trash(ids[:1])
    assert alice.trash_count() == 1
    with pytest.raises(TeamSourceError, match="administrator"):
        alice.purge(ids[:1])
    with pytest.raises(TeamSourceError, match="Favourites are your own"):
        alice.set_favourite(ids, True)
    alice.set_rating(ids[1:2], 4)
    assert alice.rows_for(ids[1:2])[0].rating == 4


def test_unreachable_team_shows_what_is_cached_and_says_so(team_env: TeamEnv,
                                                          sources: Sources) -> None:
    from ideogram_studio.team import TeamLibrary
    from ideogram_studio.team.db import Db

    from .servers import free_port

    alice, _, _ = sources
    everything = parse_search("")
    ids = alice.id_page(everything).ids
    rows = alice.rows_for(ids)
    thumbs = {r.hash: alice.submit_thumbnail(r.hash, 256).result(timeout=30) for r in rows}
    alice.library.cache.flush()
    dead = f"postgresql://alice@127.0.0.1:{free_port()}/x?sslmode=disable"
    offline_library = TeamLibrary(Db(dead, team_env.credentials("alice")), alice.library.blobs, alice.library.cache)
    said: list[str] = []
    offline = TeamLibrarySource(offline_library, on_offline=said.append)

    page = offline.id_page(everything)
    assert sorted(page.ids) == sorted(ids) and offline.offline
    assert "cannot be reached" in said[0]
    assert {r.hash for r in offline.rows_for(page.ids)} == {r.hash for r in rows}
    assert offline.count(everything) == len(ids) and offline.facets(everything, ["tag"]) == {"tag": []}
    some = rows[0]
    assert offline.submit_thumbnail(some.hash, 256).result(timeout=30) == thumbs[some.hash]
    detail = offline.detail(some.hash)
    assert detail is not None and detail.row.prompt == some.prompt
    with pytest.raises(TeamSourceError, match="cannot be reached"):
        offline.add_tags(page.ids[:1], ["x"])
    offline.close()
