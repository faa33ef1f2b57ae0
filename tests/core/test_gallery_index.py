"""The index: migrations, search, filters, facets, paging, annotations, trash, jobs."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ideogram_studio.gallery import (
    Cursor,
    Gallery,
    GalleryError,
    ImageQuery,
    JobRecord,
    NotFoundError,
    SecretInMetadataError,
    Sort,
    fts_query,
)
from ideogram_studio.gallery import schema as schema_mod
from ideogram_studio.gallery.db import Database

from .gallery_fixtures import store_result, synthetic_rows

N_ROWS = 3000


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gallery]:
    """A library with a few thousand synthetic rows (no files: only the index is exercised)."""
    with Gallery.open(tmp_path_factory.mktemp("big")) as g:
        g.index.insert_many(synthetic_rows(N_ROWS))
        yield g


# ---- schema -------------------------------------------------------------------------------------


def test_new_index_is_at_the_latest_schema_in_wal_mode(gallery: Gallery) -> None:
    assert gallery.schema_version == schema_mod.SCHEMA_VERSION == len(schema_mod.MIGRATIONS)
    conn = sqlite3.connect(gallery.data_dir / "index.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
    finally:
        conn.close()
    assert {"images", "jobs", "tags", "image_tags", "collections", "collection_images", "lineage", "images_fts",
            "images_fts_insert", "images_fts_delete", "images_fts_update", "pending_writes", "image_metadata"} <= tables
    with gallery.library.index.db.read() as c:
        assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert c.execute("PRAGMA busy_timeout").fetchone()[0] == 10000


def test_forward_migrations_run_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "index.sqlite3"
    Database(path).close()
    extra = [
        "ALTER TABLE images ADD COLUMN note TEXT;",
        "CREATE TABLE saved_searches (id INTEGER PRIMARY KEY, text TEXT); "
        "INSERT INTO saved_searches (text) VALUES ('first');",
    ]
    monkeypatch.setattr(schema_mod, "MIGRATIONS", [*schema_mod.MIGRATIONS, *extra])
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", len(schema_mod.MIGRATIONS))
    db = Database(path)
    assert db.user_version == len(schema_mod.MIGRATIONS)
    db.close()
    db = Database(path)  # nothing runs twice
    with db.read() as c:
        assert c.execute("SELECT count(*) FROM saved_searches").fetchone()[0] == 1
        assert "note" in {r[1] for r in c.execute("PRAGMA table_info(images)")}
    db.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "index.sqlite3"
    Database(path).close()
    shipped = len(schema_mod.MIGRATIONS)
    monkeypatch.setattr(schema_mod, "MIGRATIONS", [*schema_mod.MIGRATIONS, "CREATE TABLE t (x); SELECT nope();"])
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", shipped + 1)
    with pytest.raises(GalleryError):
        Database(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == shipped
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0] == 0
    finally:
        conn.close()


def test_index_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(GalleryError, match="newer version"):
        Database(path)


# ---- search, filters, facets, paging ----------------------------------------------------------


def _brute(g: Gallery, pred: object) -> list[int]:
    rows = g.rows_for(g.ids(ImageQuery()))
    return [r.id for r in rows if pred(r)]  # type: ignore[operator]


def test_fts_search_matches_words_phrases_and_prefixes(big: Gallery) -> None:
    both = big.search("castle neon")
    expected = _brute(big, lambda r: "castle" in r.prompt.split() and "neon" in r.prompt.split())
    assert both and sorted(both) == sorted(expected)
    assert sorted(big.search("cas")) == sorted(_brute(big, lambda r: "castle" in r.prompt or "cas" in r.prompt))
    phrase = big.search('"cat and dog"')
    assert phrase and all("cat and dog" in r.prompt for r in big.rows_for(phrase))
    assert sorted(big.search("cafe")) == sorted(_brute(big, lambda r: "café" in r.prompt))  # diacritics folded
    assert sorted(big.search("blurry")) == sorted(_brute(big, lambda r: r.negative_prompt == "blurry"))
    assert big.search("") == big.ids()


@pytest.mark.parametrize(
    "text",
    ['"', '""', "AND", "OR NOT", "NEAR(a b)", "a:b", "prompt:cat", "*", "cat*", "(", ")", "^cat", "-cat", "'",
     "'; DROP TABLE images; --", "\0", "c\u0301at", "🐱", "a" * 5000, '"unterminated phrase', "col:\"x\" + y",
     "{prompt negative_prompt}: cat", "cat AND", "- -", "_", "🙂 cat"],
)
def test_search_never_raises_on_user_text(big: Gallery, text: str) -> None:
    big.search(text)
    query = fts_query(text)
    assert query is None or all(part.startswith('"') for part in query.split(" AND "))


def test_filters_match_a_brute_force_scan(big: Gallery) -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    cases = [
        (ImageQuery(operations=("edit",)), lambda r: r.operation == "edit"),
        (ImageQuery(operations=("edit", "remix")), lambda r: r.operation in ("edit", "remix")),
        (ImageQuery(style_presets=("BAUHAUS", None)), lambda r: r.style_preset in ("BAUHAUS", None)),
        (ImageQuery(style_types=("DESIGN",)), lambda r: r.style_type == "DESIGN"),
        (ImageQuery(palettes=("custom",)), lambda r: r.palette == "custom"),
        (ImageQuery(aspect_ratios=("16x9",)), lambda r: r.aspect_ratio == "16x9"),
        (ImageQuery(favourite=True), lambda r: r.favourite),
        (ImageQuery(min_rating=4), lambda r: r.rating >= 4),
        (ImageQuery(created_from=t0 + timedelta(hours=10), created_to=t0 + timedelta(hours=20)),
         lambda r: t0 + timedelta(hours=10) <= r.created_at < t0 + timedelta(hours=20)),
        (ImageQuery(text="robot", operations=("generate",), min_rating=2),
         lambda r: "robot" in r.prompt and r.operation == "generate" and r.rating >= 2),
    ]
    for query, pred in cases:
        got = big.ids(query)
        assert got == _brute(big, pred), query
        assert big.count(query) == len(got)


def test_sorts(big: Gallery) -> None:
    rows = big.rows_for(big.ids(ImageQuery()))
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)
    oldest = big.rows_for(big.ids(ImageQuery(sort=Sort.OLDEST)))
    assert [r.id for r in oldest] == [r.id for r in reversed(rows)]
    rated = big.rows_for(big.ids(ImageQuery(sort=Sort.RATING)))
    assert [r.rating for r in rated] == sorted((r.rating for r in rated), reverse=True)
    by_prompt = big.rows_for(big.ids(ImageQuery(sort=Sort.PROMPT)))
    assert [r.prompt.casefold() for r in by_prompt] == sorted(r.prompt.casefold() for r in by_prompt)


@pytest.mark.parametrize("sort", list(Sort))
def test_paging_walks_the_whole_result_exactly_once(big: Gallery, sort: Sort) -> None:
    query = ImageQuery(sort=sort, operations=("generate", "edit"))
    seen: list[int] = []
    cursor: Cursor | None = None
    while True:
        page = big.page(query, after=cursor, limit=137)
        seen.extend(r.id for r in page.rows)
        if page.next is None:
            break
        cursor = page.next
    assert seen == big.ids(query)


def test_rows_for_keeps_order_and_skips_unknown_ids(big: Gallery) -> None:
    ids = big.ids()[:1200][::-1]
    rows = big.rows_for([*ids[:3], 10**9, *ids[3:]])
    assert [r.id for r in rows] == ids


def test_facets_count_each_value_under_the_other_filters(big: Gallery) -> None:
    query = ImageQuery(operations=("edit",), min_rating=3)
    facets = big.facets(query)
    # A facet ignores its own filter: every operation is listed with counts under the rating filter.
    ops = {f.value: f.count for f in facets["operation"]}
    assert set(ops) == {"generate", "edit", "remix", "reframe", "replace-background"}
    assert ops["remix"] == big.count(ImageQuery(operations=("remix",), min_rating=3))
    presets = {f.value: f.count for f in facets["style_preset"]}
    assert presets[None] == big.count(ImageQuery(operations=("edit",), min_rating=3, style_presets=(None,)))
    assert sum(presets.values()) == big.count(query)
    ratings = {f.value: f.count for f in facets["rating"]}
    assert set(ratings) == {0, 1, 2, 3, 4, 5}


# ---- annotations ----------------------------------------------------------------------------------


def test_tags_favourites_ratings_and_tag_search(gallery: Gallery) -> None:
    a, b, c = (store_result(gallery, s, prompt=p) for s, p in ((1, "a cat"), (2, "a dog"), (3, "a bird")))
    gallery.add_tags([a, b], ["Pets", "  best   of 2025 "])
    gallery.add_tags([a], ["pets"])  # the same tag, any case
    assert gallery.get(a).tags == ("best of 2025", "Pets")  # type: ignore[union-attr]
    assert {t.value: t.count for t in gallery.all_tags()} == {"best of 2025": 2, "Pets": 2}
    assert set(gallery.search("pets")) == {gallery.get(a).id, gallery.get(b).id}  # type: ignore[union-attr]
    assert gallery.ids(ImageQuery(tags=("PETS", "best of 2025"))) == gallery.ids(ImageQuery(tags=("pets",)))
    gallery.remove_tags([a], ["Pets"])
    assert gallery.get(a).tags == ("best of 2025",)  # type: ignore[union-attr]
    assert set(gallery.search("pets")) == {gallery.get(b).id}  # type: ignore[union-attr]
    gallery.set_tags(c, ["Birds"])
    gallery.set_tags(b, [])
    assert {t.value for t in gallery.all_tags()} == {"best of 2025", "Birds"}
    with pytest.raises(GalleryError):
        gallery.add_tags([a], ["   "])
    gallery.set_favourite([a, c])
    gallery.set_rating([b], 5)
    with pytest.raises(GalleryError):
        gallery.set_rating([b], 6)
    assert [r.hash for r in gallery.rows_for(gallery.ids(ImageQuery(favourite=True, sort=Sort.OLDEST)))] == [a, c]
    assert gallery.rows_for(gallery.ids(ImageQuery(sort=Sort.RATING)))[0].hash == b
    facet = {f.value: f.count for f in gallery.facets(fields=("tag",))["tag"]}
    assert facet == {"best of 2025": 1, "Birds": 1}
    # Annotations are mirrored into sidecars (what a rebuild reads).
    side = json.loads((gallery.data_dir / "annotations" / c[:2] / f"{c}.json").read_text())
    assert side["tags"] == ["Birds"] and side["favourite"] is True


def test_nested_collections(gallery: Gallery) -> None:
    a, b, c = (store_result(gallery, s) for s in (1, 2, 3))
    work = gallery.create_collection("Work")
    posters = gallery.create_collection("Posters", work.id)
    y2025 = gallery.create_collection("2025", posters.id)
    gallery.add_to_collection(posters.id, [a])
    gallery.add_to_collection(y2025.id, [b, a])  # one image in several collections
    ids = {h: gallery.get(h).id for h in (a, b, c)}  # type: ignore[union-attr]
    assert set(gallery.ids(ImageQuery(collection=work.id))) == {ids[a], ids[b]}
    assert gallery.ids(ImageQuery(collection=work.id, include_subcollections=False)) == []
    assert {x.name: x.count for x in gallery.collections()} == {"Work": 0, "Posters": 1, "2025": 2}
    with pytest.raises(GalleryError):
        gallery.move_collection(work.id, y2025.id)  # no cycles
    gallery.rename_collection(y2025.id, "Year 2025")
    gallery.move_collection(y2025.id, None)
    assert set(gallery.ids(ImageQuery(collection=work.id))) == {ids[a]}
    gallery.remove_from_collection(y2025.id, [a])
    assert gallery.collections_of(a) == [posters.id]
    gallery.delete_collection(work.id)  # and its sub-collection; images stay
    assert [x.name for x in gallery.collections()] == ["Year 2025"]
    assert gallery.count() == 3 and gallery.collections_of(a) == []
    with pytest.raises(NotFoundError):
        gallery.add_to_collection(work.id, [a])
    tree = json.loads((gallery.data_dir / "collections.json").read_text())
    assert [c["name"] for c in tree["collections"]] == ["Year 2025"]


def test_trash_restore_and_purge(gallery: Gallery) -> None:
    a, b = store_result(gallery, 1), store_result(gallery, 2)
    path_a = gallery.path_for(a)
    assert len(gallery.trash([a, a])) == 1 and gallery.trash([a]) == []
    assert [r.hash for r in gallery.rows_for(gallery.ids())] == [b]
    assert [r.hash for r in gallery.rows_for(gallery.ids(ImageQuery(trashed=True)))] == [a]
    gallery.restore([a])
    assert gallery.count() == 2
    gallery.trash([a])
    thumb = gallery.submit_thumbnail(a, 64).result(timeout=30)
    report = gallery.empty_trash(older_than=timedelta(days=30))
    assert report.purged == [] and path_a.exists()  # too recent
    report = gallery.empty_trash()
    assert report.purged == [a] and report.kept == []
    assert not path_a.exists() and not thumb.exists() and gallery.get(a) is None
    assert not (gallery.data_dir / "annotations" / a[:2] / f"{a}.json").exists()
    assert gallery.check().clean


def test_purge_keeps_an_image_another_one_was_made_from(gallery: Gallery) -> None:
    src = store_result(gallery, 1)
    child = store_result(gallery, 2, operation="edit", parents=[src])
    gallery.trash([src])
    report = gallery.purge([src])
    assert report.kept == [src] and report.purged == []
    row = gallery.get(src)
    assert row is not None and row.is_input and row.trashed_at is None and gallery.path_for(src).exists()
    report = gallery.purge([child, src])  # both together: nothing else needs src now
    assert set(report.purged) == {src, child}
    assert gallery.count(ImageQuery(inputs=None, trashed=None)) == 0


# ---- job journal --------------------------------------------------------------------------------


def test_job_journal_round_trip_and_updates(gallery: Gallery) -> None:
    created = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    job = JobRecord(id="j1", operation="edit", state="queued", request={"prompt": "p", "num_images": 2},
                    input_hashes={"image": ["a" * 64], "mask": ["b" * 64]}, estimated_cost=Decimal("0.12"),
                    created_at=created, updated_at=created)
    gallery.insert_job(job)
    with pytest.raises(GalleryError):
        gallery.insert_job(job)
    got = gallery.get_job("j1")
    assert got == job
    started = created + timedelta(seconds=5)
    updated = gallery.update_job("j1", state="running", started_at=started)
    assert updated.state == "running" and updated.started_at == started and updated.updated_at > created
    gallery.update_job("j1", state="done", result_hashes=["c" * 64], finished_at=started, error=None)
    assert gallery.get_job("j1").result_hashes == ["c" * 64]  # type: ignore[union-attr]
    with pytest.raises(GalleryError):
        gallery.update_job("j1", nonsense=1)
    with pytest.raises(NotFoundError):
        gallery.update_job("nope", state="x")
    with pytest.raises(SecretInMetadataError):
        gallery.insert_job(JobRecord(id="j2", operation="generate", state="queued", request={"Api-Key": "k"}))
    assert gallery.get_job("j2") is None


def test_jobs_in_states_recent_and_spend(gallery: Gallery) -> None:
    day = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    for i, (state, cost, when) in enumerate([
        ("queued", "0.03", day), ("running", "0.06", day + timedelta(hours=1)),
        ("done", "0.09", day + timedelta(hours=2)), ("failed", None, day + timedelta(hours=3)),
        ("done", "0.10", day + timedelta(days=1)),
    ]):
        gallery.insert_job(JobRecord(id=f"j{i}", operation="generate", state=state, created_at=when, updated_at=when,
                                     estimated_cost=Decimal(cost) if cost else None))
    assert [j.id for j in gallery.jobs_in_states(["queued", "running"])] == ["j0", "j1"]
    assert [j.id for j in gallery.recent_jobs(2)] == ["j4", "j3"]
    assert gallery.spend_on(date(2025, 3, 1), UTC) == Decimal("0.18")
    assert gallery.spend_on(date(2025, 3, 2), UTC) == Decimal("0.10")
    assert gallery.spend_since(day + timedelta(hours=1)) == Decimal("0.25")
    assert gallery.spend_since(day, states=["done"]) == Decimal("0.19")
    assert isinstance(gallery.spend_since(day), Decimal)


def test_reads_do_not_wait_for_a_long_write(gallery: Gallery) -> None:
    """Reads use their own connection: the grid stays responsive during a bulk write."""
    store_result(gallery, 1)
    db = gallery.library.index.db
    entered, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with db.transaction() as conn:
            conn.execute("UPDATE images SET rating = 3")
            entered.set()
            release.wait(10)

    t = threading.Thread(target=long_write)
    t.start()
    assert entered.wait(10)
    try:
        result: list[int] = []
        reader = threading.Thread(target=lambda: result.append(gallery.count()))
        reader.start()
        reader.join(2)
        assert result == [1], "a read waited for the write transaction"
        assert gallery.get(gallery.ids()[0]).rating == 0  # type: ignore[union-attr]  # last committed state
    finally:
        release.set()
        t.join()
    assert gallery.rows_for(gallery.ids())[0].rating == 3
