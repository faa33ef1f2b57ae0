"""Browsing and searching the team library: the local search syntax on PostgreSQL, keyset paging, facets."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.query import Sort
from ideogram_studio.team import Outbox, Publisher, TeamLibrary
from ideogram_studio.team.search import fts_to_tsquery, tsquery_for

from .helpers import TeamEnv, add_results

PROMPTS = [
    "a red car on a neon street",
    "a blue car in the forest",
    "red robot poster",
    "castle at sunset, red sky",
    "ocean waves",
    "a cartoon cat",
]


@pytest.fixture
def published(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> tuple[TeamLibrary, list[str]]:
    hashes = add_results(gallery, len(PROMPTS), prompt=lambda i: PROMPTS[i])
    gallery.add_tags(hashes[:2], ["vehicles"])
    gallery.add_tags(hashes[2:3], ["Brand Kit"])
    gallery.set_rating(hashes[3:4], 5)
    team = team_env.library("alice")
    Publisher(gallery, team, Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    return team, hashes


def _prompts(team: TeamLibrary, text: str) -> set[str | None]:
    return {r.prompt for r in team.page(text).rows}


def test_words_phrases_prefixes_and_exclusions(published: tuple[TeamLibrary, list[str]]) -> None:
    team, _ = published
    assert _prompts(team, "red car") == {PROMPTS[0]}
    assert _prompts(team, '"blue car"') == {PROMPTS[1]}
    assert _prompts(team, "car") == {PROMPTS[0], PROMPTS[1], PROMPTS[5]}  # "car" is a prefix of cartoon
    assert _prompts(team, "red -robot") == {PROMPTS[0], PROMPTS[3]}
    assert _prompts(team, 'car -"neon street"') == {PROMPTS[1], PROMPTS[5]}
    assert _prompts(team, "vehicles") == {PROMPTS[0], PROMPTS[1]}  # tags are searched as words too


def test_filters_tags_ratings_and_who_published(published: tuple[TeamLibrary, list[str]]) -> None:
    team, _ = published
    assert _prompts(team, "tag:vehicles") == {PROMPTS[0], PROMPTS[1]}
    assert _prompts(team, 'tag:"brand kit"') == {PROMPTS[2]}  # case-insensitive, as locally
    assert _prompts(team, "red -tag:vehicles") == {PROMPTS[2], PROMPTS[3]}
    assert _prompts(team, "rating:>=4") == {PROMPTS[3]}
    assert _prompts(team, "rating:0") == set(PROMPTS) - {PROMPTS[3]}
    assert _prompts(team, "op:generate ratio:4x3 ocean") == {PROMPTS[4]}
    assert _prompts(team, "op:edit") == set()
    assert {r.published_by for r in team.page("", published_by=["alice"]).rows} == {"alice"}
    assert team.page("", published_by=["bob"]).rows == []


def test_keyset_pages_cover_everything_once_in_order(published: tuple[TeamLibrary, list[str]]) -> None:
    team, hashes = published
    for sort in (Sort.NEWEST, Sort.OLDEST, Sort.RATING, Sort.PROMPT):
        seen, after = [], None
        while True:
            page = team.page("", after=after, limit=2, sort=sort)
            seen.extend(page.rows)
            if page.next is None:
                break
            after = page.next
        assert sorted(r.hash for r in seen) == sorted(hashes), sort
        whole = team.page("", limit=100, sort=sort).rows
        assert [r.hash for r in seen] == [r.hash for r in whole], sort


def test_facets_count_each_value_under_the_other_filters(published: tuple[TeamLibrary, list[str]]) -> None:
    team, _ = published
    facets = team.facets("red")
    assert {(f.value, f.count) for f in facets["tag"]} == {("vehicles", 1), ("Brand Kit", 1)}
    assert {(f.value, f.count) for f in facets["published_by"]} == {("alice", 3)}
    assert {(f.value, f.count) for f in facets["rating"]} == {(5, 1), (0, 2)}
    assert team.count("red") == 3


def test_search_text_cannot_inject_tsquery_syntax(published: tuple[TeamLibrary, list[str]]) -> None:
    team, _ = published
    for text in ["red & | ! ( ) : * <-> '", "'; DROP TABLE images; --", '"unclosed', "a:b:c", "\\"]:
        team.page(text)  # never an error
    assert team.count("") == len(PROMPTS)


def test_tsquery_translation() -> None:
    assert tsquery_for("red car") == "red & car:*"
    assert tsquery_for('"red car" sky') == "(red <-> car) & sky:*"
    assert tsquery_for("  ") is None
    assert fts_to_tsquery('"a b" AND "c"') == "(a <-> b) & c"


def test_pages_from_the_recent_window_match_the_full_query(team_env: TeamEnv, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # Dense words fill a page from the newest images; sparse ones fall back to the planner's plan.
    # Small windows so that 1,200 rows exercise both paths and the second window.
    import random
    from datetime import UTC, datetime, timedelta

    from ideogram_studio.gallery.search_syntax import parse_search
    from ideogram_studio.team import library
    from ideogram_studio.team.search import where_search

    monkeypatch.setattr(library, "PROBE_ROWS", (100, 600))
    rng = random.Random(5)
    words = ("red", "car", "neon", "castle", "ocean", "zebra")
    with team_env.servers.pg.superuser(team_env.database) as conn, conn.cursor() as cur:
        with cur.copy("COPY images (hash, format, width, height, bytes, created_at, prompt, metadata, is_input, "
                      "operation) FROM STDIN") as copy:
            for i in range(1200):
                prompt = " ".join(rng.sample(words[:5], 3)) + (" zebra" if i % 97 == 0 else "")
                copy.write_row((f"{i:064x}", "PNG", 1, 1, 1, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                                prompt, "{}", i % 9 == 0, "edit" if i % 31 == 0 else "generate"))
        cur.execute("ANALYZE images")
    team = team_env.library("alice")
    for text in ("red", "red car", '"neon castle"', "zebra", "zebra op:edit", "-ocean", "op:edit", ""):
        for sort in (Sort.NEWEST, Sort.OLDEST):
            clause, params = where_search(parse_search(text))
            with team_env.servers.pg.superuser(team_env.database) as conn:
                truth = [r[0] for r in conn.execute(
                    f"SELECT hash FROM images WHERE {clause} ORDER BY {library.order_by(sort)}", params)]
            seen, after = [], None
            while True:
                page = team.page(text, after=after, limit=50, sort=sort)
                seen.extend(r.hash for r in page.rows)
                if page.next is None:
                    break
                after = page.next
            assert seen == truth, (text, sort)


def test_what_the_library_page_asks_a_source(published: tuple[TeamLibrary, list[str]]) -> None:
    team, hashes = published
    ids, nxt = team.id_page("", limit=4)
    more, end = team.id_page("", after=nxt, limit=4)
    assert end is None and len(ids) == 4 and len(more) == 2
    assert ids + more == [r.id for r in team.page("", limit=100).rows]
    picked = [ids[2], more[0], ids[0]]
    assert [r.id for r in team.rows_by_id([*picked, 999_999])] == picked
    assert team.id_of(hashes[0]) == team.get(hashes[0]).id  # type: ignore[union-attr]
    assert [team.position("", i) for i in ids + more] == list(range(6))
    red = [r.id for r in team.page("red").rows]
    assert [team.position("red", i) for i in red] == list(range(len(red)))
    assert team.position("ocean", red[0]) is None
    assert team.date_counts("") == (6, 0, 6, 6)  # all made today (the fixture stores them now)
    assert team.tag_names() == ["Brand Kit", "vehicles"]
    assert team.trash_count() == 0
    team.trash(hashes[:2])
    assert team.trash_count() == 2 and team.count("") == 4
