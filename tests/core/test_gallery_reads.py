"""The gallery's one read path (reads.py) as both of its callers use it: GalleryIndex (an
ImageQuery on the Gallery's connection) and LibraryReader (a parsed Search on connections of its
own). Same facets, same rows, same order; keyset pages of ids that add up to the whole result;
why a library cannot be shown, as data."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Cursor, Gallery, ImageQuery, Sort, reads
from ideogram_studio.gallery import schema as schema_mod
from ideogram_studio.gallery.db import Database
from ideogram_studio.gallery.library_ops import LibraryProblem, LibraryReader, ProblemKind, library_problem
from ideogram_studio.gallery.search_syntax import Search, parse_search

from .gallery_fixtures import synthetic_rows

N_ROWS = 1500


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gallery]:
    with Gallery.open(tmp_path_factory.mktemp("reads")) as g:
        g.index.insert_many(synthetic_rows(N_ROWS, seed=3))
        rows = g.rows_for(g.ids())
        g.add_tags([r.id for r in rows[::5]], ["five"])
        g.add_tags([r.id for r in rows[::3]], ["three", "odd one"])
        g.trash([r.id for r in rows[::97]])
        yield g


@pytest.fixture
def reader(big: Gallery) -> Iterator[LibraryReader]:
    r = LibraryReader(big)
    yield r
    r.close()


QUERIES = [
    ImageQuery(),
    ImageQuery(operations=("edit",), min_rating=3),
    ImageQuery(style_presets=(None, "BAUHAUS"), favourite=True),
    ImageQuery(tags=("five",), sort=Sort.OLDEST),
    ImageQuery(text="cat", aspect_ratios=("16x9",)),
    ImageQuery(trashed=True),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_both_callers_count_facets_alike(big: Gallery, reader: LibraryReader, query: ImageQuery) -> None:
    from_index = big.facets(query)
    from_reader = reader.facets(Search(query=query))
    assert from_index == from_reader
    # What each former implementation promised still holds: every facet adds up to the result
    # minus its own filter, ratings highest first, the others most frequent first.
    for name, values in from_index.items():
        if name == "tag":
            continue
        assert sum(v.count for v in values) == big.count(query.without(name)), name
    ratings = [v.value for v in from_index["rating"]]
    assert ratings == sorted(ratings, key=lambda v: -int(v or 0))
    ops = [v.count for v in from_index["operation"]]
    assert ops == sorted(ops, reverse=True)


def test_the_search_syntax_extras_narrow_the_facets(reader: LibraryReader) -> None:
    everything = reader.facets(parse_search(""), ("rating", "tag"))
    capped = reader.facets(parse_search("rating:<3"), ("tag", "rating"))
    without_five = reader.facets(parse_search("-tag:five"), ("tag", "rating"))
    without_cats = reader.facets(parse_search("-cat"), ("tag",))
    # A facet leaves out its own filter (rating:<3 is a rating filter, -tag:five a tag filter)
    # and keeps the others.
    assert capped["rating"] == everything["rating"]
    assert sum(v.count for v in capped["tag"]) < sum(v.count for v in everything["tag"])
    assert without_five["tag"] == everything["tag"]
    assert sum(v.count for v in without_five["rating"]) == reader.count(parse_search("-tag:five"))
    assert sum(v.count for v in without_five["rating"]) < sum(v.count for v in everything["rating"])
    assert sum(v.count for v in without_cats["tag"]) < sum(v.count for v in everything["tag"])
    assert list(capped) == ["tag", "rating"]  # in the order asked
    with pytest.raises(ValueError, match="unknown facet"):
        reader.facets(parse_search(""), ("colour",))


def test_both_callers_read_the_same_rows_in_the_same_order(big: Gallery, reader: LibraryReader) -> None:
    for query in QUERIES:
        ids = big.ids(query)
        assert reader.ids(Search(query=query)) == ids
        assert reader.count(Search(query=query)) == big.count(query) == len(ids)
    ids = big.ids()[:1200][::-1]
    asked = [*ids[:3], 10**9, *ids[3:]]
    assert reader.rows_for(asked) == big.rows_for(asked)
    assert [r.id for r in reader.rows_for(asked)] == ids


@pytest.mark.parametrize("sort", list(Sort))
def test_keyset_pages_of_ids_add_up_to_the_whole_result(reader: LibraryReader, sort: Sort) -> None:
    search = parse_search("-tag:five").with_query(sort=sort)
    whole = reader.ids(search)
    seen: list[int] = []
    after: Cursor | None = None
    pages = 0
    while True:
        ids, after = reader.id_page(search, after=after, limit=211)
        seen.extend(ids)
        pages += 1
        if after is None:
            break
    assert seen == whole and pages == -(-len(whole) // 211)
    first, nxt = reader.id_page(search, limit=100)
    rest, end = reader.id_page(search, after=nxt)  # no limit: everything after the cursor
    assert [*first, *rest] == whole and end is None
    all_ids, none = reader.id_page(search)
    assert list(all_ids) == whole and none is None


def test_row_pages_of_the_index_use_the_same_keys(big: Gallery) -> None:
    query = ImageQuery(operations=("generate", "edit"))
    seen: list[int] = []
    after: Cursor | None = None
    while True:
        page = big.page(query, after=after, limit=300)
        seen.extend(r.id for r in page.rows)
        after = page.next
        if after is None:
            break
    assert seen == big.ids(query)


def test_why_a_library_cannot_be_shown_is_data(tmp_path: Path) -> None:
    with Gallery.open(tmp_path / "library") as g:
        assert library_problem(g) is None
        (g.data_dir / "index.sqlite3").rename(tmp_path / "elsewhere.sqlite3")
        assert library_problem(g) == LibraryProblem(ProblemKind.INDEX_MISSING, g.data_dir)
        g.data_dir.rename(tmp_path / "moved")
        assert library_problem(g) == LibraryProblem(ProblemKind.FOLDER_MISSING, g.data_dir)
        (tmp_path / "moved").rename(g.data_dir)
        (tmp_path / "elsewhere.sqlite3").rename(g.data_dir / "index.sqlite3")


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gallery]:
    """Ids in no relation to dates (imports of old files get new ids): windows span wide id ranges."""
    with Gallery.open(tmp_path_factory.mktemp("shuffled")) as g:
        rows = list(synthetic_rows(800, seed=5))
        random.Random(7).shuffle(rows)
        g.index.insert_many(rows)
        g.add_tags(g.ids()[::5], ["five"])
        g.add_tags(g.ids()[::3], ["three"])
        g.trash(g.ids()[::50])
        yield g


WINDOWED = [("c", False), ("castle", False), ("castle n", False), ("castle neo", False), ("Café", False),
            ("robot -cat", False), ("-dog", False), ("neon op:edit", False), ("ocean rating:>=3", False),
            ("fores fav", False), ("mount tag:five", False), ("castle -tag:three", False), ("c", True), ("casTL", True),
            ("op:edit rating:>=3", False), ("fav", False), ("tag:five", False), ("-tag:three is:unflagged", False)]


@pytest.mark.parametrize("which", ["big", "shuffled"])
@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.OLDEST])
@pytest.mark.parametrize(("text", "trash"), WINDOWED)
@pytest.mark.parametrize("density", [0.0, 0.5])  # never / often the rest of a page by SQLite's plan
def test_common_words_read_by_windows_page_like_the_whole_result(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, which: str, sort: Sort, text: str, trash: bool,
    density: float,
) -> None:
    gallery: Gallery = request.getfixturevalue(which)
    monkeypatch.setattr(reads, "WINDOW", 16)  # many windows, and some growing, over 800-1,500 rows
    monkeypatch.setattr(reads, "MAX_WINDOW", 64)
    monkeypatch.setattr(reads, "DENSE_MATCHES", 3)
    monkeypatch.setattr(reads, "MIN_DENSITY", density)
    windows: list[int] = []
    real = reads._windowed_id_page
    monkeypatch.setattr(reads, "_windowed_id_page", lambda *a, **k: windows.append(1) or real(*a, **k))
    reader = LibraryReader(gallery)
    try:
        search = parse_search(text).with_query(sort=sort, trashed=trash)
        whole = reader.ids(search)  # the plain SQL: every match, sorted
        seen: list[int] = []
        after: Cursor | None = None
        while True:
            ids, after = reader.id_page(search, after=after, limit=37)
            seen.extend(ids)
            if after is None:
                break
        assert whole and seen == whole
        assert windows  # the windowed reading was the one tested
    finally:
        reader.close()


def test_a_version_4_index_gains_the_covering_date_index(tmp_path: Path) -> None:
    """v5: the default view's date walk with its filters reads the index alone (no table row)."""
    db_path = tmp_path / "v4.sqlite3"
    with sqlite3.connect(db_path) as conn:
        for script in schema_mod.MIGRATIONS[:4]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 4")
        conn.execute(
            "INSERT INTO images (hash, path, width, height, format, bytes, created_at, added_at, operation, favourite) "
            "VALUES ('h', 'p', 1, 1, 'PNG', 1, '2026-01-01', '2026-01-01', 'edit', 1)"
        )
    conn.close()
    db = Database(db_path)
    try:
        assert db.user_version == schema_mod.SCHEMA_VERSION
        search = parse_search("op:edit fav rating:>=0 -tag:x")
        clause, params = reads.where_search(search)
        with db.read() as c:
            walk = (f"SELECT images.id, images.created_at, ({clause.replace(reads._VISIBLE[0], '1')}) FROM images "
                    f"INDEXED BY images_visible WHERE {' AND '.join(reads._VISIBLE)} ORDER BY images.created_at DESC")
            plan = " ".join(r[3] for r in c.execute(f"EXPLAIN QUERY PLAN {walk}", params))
            assert "COVERING INDEX images_visible" in plan
            assert [tuple(r) for r in c.execute(walk, params)] == [(1, "2026-01-01", 1)]
    finally:
        db.close()
