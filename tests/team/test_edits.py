"""Editing the team library from two sessions: optimistic checks, ratings per person, live events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import (
    Outbox,
    Publisher,
    TeamConflictError,
    TeamEvent,
    TeamLibrary,
    TeamListener,
    TeamPermissionError,
)

from .helpers import TeamEnv, add_results


@pytest.fixture
def shared(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> tuple[TeamLibrary, TeamLibrary, list[str]]:
    hashes = add_results(gallery, 3, tags=("draft",))
    alice = team_env.library("alice")
    Publisher(gallery, alice, Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    return alice, team_env.library("bob"), hashes


def test_second_tag_edit_on_a_stale_version_is_refused_and_shown_the_new_state(
        shared: tuple[TeamLibrary, TeamLibrary, list[str]]) -> None:
    alice, bob, hashes = shared
    digest = hashes[0]
    seen_by_alice = alice.get(digest)
    seen_by_bob = bob.get(digest)
    assert seen_by_alice is not None and seen_by_bob is not None

    after_bob = bob.set_tags(digest, ["approved"], expected_version=seen_by_bob.version)
    with pytest.raises(TeamConflictError) as info:
        alice.set_tags(digest, ["rejected"], expected_version=seen_by_alice.version)

    assert "bob changed this image" in str(info.value) and "approved" in str(info.value)
    assert info.value.current.tags == ("approved",)
    assert info.value.current.version == after_bob.version
    now = alice.get(digest)
    assert now is not None and now.tags == ("approved",)  # bob's edit was not overwritten
    # Shown the new state, alice can make her change on top of it.
    merged = alice.set_tags(digest, ["approved", "rejected"], expected_version=info.value.current.version)
    assert merged.tags == ("approved", "rejected") and merged.changed_by == "alice"


def test_batch_edits_with_versions_change_all_or_nothing(shared: tuple[TeamLibrary, TeamLibrary, list[str]]) -> None:
    alice, bob, hashes = shared
    versions = {r.hash: r.version for r in alice.rows_for(hashes)}
    bob.add_tags([hashes[1]], ["hero"])
    with pytest.raises(TeamConflictError):
        alice.trash(hashes, expected=versions)
    assert all(r.trashed_at is None for r in alice.rows_for(hashes))  # none trashed
    fresh = {r.hash: r.version for r in alice.rows_for(hashes)}
    assert sorted(alice.trash(hashes, expected=fresh)) == sorted(hashes)
    assert alice.count("") == 0 and alice.count("") == bob.count("")
    assert sorted(bob.restore(hashes)) == sorted(hashes)


def test_merging_tag_edits_never_lose_each_others_tags(shared: tuple[TeamLibrary, TeamLibrary, list[str]]) -> None:
    alice, bob, hashes = shared
    alice.add_tags(hashes, ["logo"])
    bob.add_tags(hashes[:1], ["LOGO", "hero"])  # same tag in another case: one tag
    bob.remove_tags(hashes[1:2], ["Draft"])
    rows = {r.hash: r.tags for r in alice.rows_for(hashes)}
    assert rows[hashes[0]] == ("draft", "hero", "logo")
    assert rows[hashes[1]] == ("logo",)


def test_ratings_are_per_person_and_averaged_for_the_team(shared: tuple[TeamLibrary, TeamLibrary, list[str]]) -> None:
    alice, bob, hashes = shared
    alice.set_my_rating(hashes[:1], 5)
    bob.set_my_rating(hashes[:1], 2)
    row = bob.get(hashes[0])
    assert row is not None
    assert (row.rating_count, row.rating_mean, row.rating, row.my_rating) == (2, 3.5, 4, 2)
    assert alice.ratings(hashes[0]) == [("alice", 5), ("bob", 2)]
    bob.set_my_rating(hashes[:1], 0)
    row = alice.get(hashes[0])
    assert row is not None and (row.rating_count, row.rating, row.my_rating) == (1, 5, 5)


def test_collection_edits_are_checked_against_the_version(shared: tuple[TeamLibrary, TeamLibrary, list[str]]) -> None:
    alice, bob, hashes = shared
    created = alice.create_collection("Spring campaign")
    seen_by_bob = next(c for c in bob.collections() if c.id == created.id)
    after = alice.change_collection(created.id, add=hashes[:2], expected_version=created.version)
    with pytest.raises(TeamConflictError) as info:
        bob.change_collection(created.id, remove=hashes[:1], expected_version=seen_by_bob.version)
    assert info.value.current.count == 2
    assert alice.change_collection(created.id, remove=hashes[:1], expected_version=after.version).count == 1
    assert {r.hash for r in bob.page("tag:draft", limit=10).rows} >= set(hashes)


def test_read_only_role_browses_but_cannot_edit(team_env: TeamEnv,
                                                 shared: tuple[TeamLibrary, TeamLibrary, list[str]]) -> None:
    _, _, hashes = shared
    viewer = team_env.library("viewer")
    assert viewer.status is not None and not viewer.status.can_publish
    assert viewer.count("") == 3 and viewer.get(hashes[0]) is not None
    with pytest.raises(TeamPermissionError, match="read-only"):
        viewer.add_tags(hashes, ["nope"])
    with pytest.raises(TeamPermissionError):
        viewer.set_my_rating(hashes, 3)


@pytest.fixture
def events(team_env: TeamEnv) -> Iterator[tuple[list[TeamEvent], threading.Condition]]:
    received: list[TeamEvent] = []
    cond = threading.Condition()

    def on_event(event: TeamEvent) -> None:
        with cond:
            received.append(event)
            cond.notify_all()

    listener = TeamListener(team_env.config("bob").db_url, team_env.credentials("bob"), on_event)
    listener.start()
    assert listener.listening.wait(20)
    yield received, cond
    listener.stop()


def _wait_for(cond: threading.Condition, received: list[TeamEvent], op: str) -> TeamEvent:
    with cond:
        assert cond.wait_for(lambda: any(e.op == op for e in received), timeout=20), [e.op for e in received]
        return next(e for e in received if e.op == op)


def test_others_hear_of_publishes_tags_and_trash(team_env: TeamEnv, gallery: Gallery, tmp_path: Path,
                                                events: tuple[list[TeamEvent], threading.Condition]) -> None:
    received, cond = events
    hashes = add_results(gallery, 2)
    alice = team_env.library("alice")
    Publisher(gallery, alice, Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    assert set(_wait_for(cond, received, "publish").hashes) == set(hashes)
    alice.add_tags(hashes[:1], ["hero"])
    assert _wait_for(cond, received, "tags").hashes == (hashes[0],)
    alice.trash(hashes[1:])
    assert _wait_for(cond, received, "trash").hashes == (hashes[1],)
