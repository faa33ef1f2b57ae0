"""The library's search syntax: every operator, mistakes with their positions, no exception on any
input; and the searches it builds, run against a real index (words and tags left out, a highest
rating, dates, facets)."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, ImageQuery, Sort
from ideogram_studio.gallery.library_ops import LibraryReader, neighbour_row
from ideogram_studio.gallery.reads import where_search
from ideogram_studio.gallery.search_syntax import Search, parse_search, remove_terms, toggle_value

from .gallery_fixtures import store_result

TODAY = date(2025, 3, 14)  # a Friday


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


def p(text: str) -> Search:
    return parse_search(text, today=TODAY)


# ---- operators -------------------------------------------------------------------------------


def test_words_and_phrases_become_the_text_query() -> None:
    s = p('red  car "old town"')
    assert s.ok
    assert s.query.text == 'red car "old town"'
    assert [t.field for t in s.terms] == [None, None, None]


def test_minus_leaves_words_and_phrases_out() -> None:
    s = p('castle -night -"dark sky"')
    assert s.query.text == "castle"
    assert s.exclude == ('"night"', '"dark sky"')
    assert s.ok


def test_tags_every_one_and_left_out() -> None:
    s = p('tag:logo tag:"brand  kit" -tag:draft')
    assert s.query.tags == ("logo", "brand kit")
    assert s.exclude_tags == ("draft",)


@pytest.mark.parametrize(
    ("text", "field", "values"),
    [
        ("preset:bauhaus", "style_presets", ("BAUHAUS",)),
        ("preset:art-deco", "style_presets", ("ART_DECO",)),
        ('preset:"Art Deco"', "style_presets", ("ART_DECO",)),
        ("preset:none", "style_presets", (None,)),
        ("style:design", "style_types", ("DESIGN",)),
        ("palette:ember", "palettes", ("EMBER",)),
        ("palette:custom", "palettes", ("custom",)),
        ("ratio:16x9", "aspect_ratios", ("16x9",)),
        ("ratio:16:9", "aspect_ratios", ("16x9",)),
        ("op:edit", "operations", ("edit",)),
        ("op:bg", "operations", ("replace-background",)),
        ("op:face-swap", "operations", ("face-swap",)),
        ("op:faceswap", "operations", ("face-swap",)),
        ("op:upscale,import", "operations", ("upscale", "import")),
        ("op:edit op:remix", "operations", ("edit", "remix")),
        ("OP:Generate", "operations", ("generate",)),
    ],
)
def test_field_filters(text: str, field: str, values: tuple[object, ...]) -> None:
    s = p(text)
    assert s.ok, s.errors
    assert getattr(s.query, field) == values


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("rating:>=4", 4, None), ("rating:5", 5, None), ("rating:3", 3, 3), ("rating:<3", 0, 2),
     ("rating:<=2", 0, 2), ("rating:>1", 2, None), ("rating:0", 0, 0), ("rating:>=2 rating:<5", 2, 4)],
)
def test_rating(text: str, low: int, high: int | None) -> None:
    s = p(text)
    assert s.ok, s.errors
    assert (s.query.min_rating, s.max_rating) == (low, high)


def test_favourites() -> None:
    assert p("fav").query.favourite is True
    assert p("-fav").query.favourite is False
    assert p("is:fav cat").query.favourite is True
    assert p("fav:no").query.favourite is False
    assert p('"fav"').query.favourite is None  # quoted: the word itself


def test_dates() -> None:
    s = p("after:2025-01-31 before:today")
    assert s.query.created_from == local_midnight(date(2025, 1, 31))
    assert s.query.created_to == local_midnight(TODAY)
    s = p("after:yesterday")
    assert s.query.created_from == local_midnight(TODAY - timedelta(days=1))
    s = p("date:today")
    assert (s.query.created_from, s.query.created_to) == (local_midnight(TODAY), local_midnight(date(2025, 3, 15)))
    s = p("date:week")
    assert s.query.created_from == local_midnight(date(2025, 3, 10))  # Monday
    assert s.query.created_to == local_midnight(date(2025, 3, 17))
    s = p("date:month")
    assert (s.query.created_from, s.query.created_to) == (local_midnight(date(2025, 3, 1)),
                                                        local_midnight(date(2025, 4, 1)))
    s = p("date:2024-12")
    assert (s.query.created_from, s.query.created_to) == (local_midnight(date(2024, 12, 1)),
                                                        local_midnight(date(2025, 1, 1)))


def test_everything_together() -> None:
    s = p('poster -blurry tag:logo preset:bauhaus style:design palette:ember ratio:4:3 op:edit '
          'rating:>=4 fav after:2025-01-01 "neon sign"')
    assert s.ok, s.errors
    q = s.query
    assert q.text == 'poster "neon sign"'
    assert (q.tags, q.style_presets, q.style_types, q.palettes, q.aspect_ratios, q.operations) == (
        ("logo",), ("BAUHAUS",), ("DESIGN",), ("EMBER",), ("4x3",), ("edit",))
    assert q.min_rating == 4 and q.favourite is True and s.exclude == ('"blurry"',)


# ---- mistakes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "words"),
    [
        ("cat foo:bar", (4, 8), "Unknown filter"),
        ("preset:bauhauss", (7, 15), "Did you mean bauhaus"),
        ("ratio:7x3", (6, 9), "aspect ratios"),
        ("ratio:wide", (6, 10), "16x9"),
        ("op:zap", (3, 6), "Unknown operation"),
        ("rating:9", (7, 8), "0 (unrated) to 5"),
        ("rating:good", (7, 11), "rating:>=4"),
        ("rating:<0", (7, 9), "No image"),
        ("after:2025-02-30", (6, 16), "not a day"),
        ("date:soon", (5, 9), "not a date"),
        ("tag:", (0, 4), "needs a value"),
        ('cat "unclosed', (4, 13), "not closed"),
        ("-op:edit", (0, 1), "not supported"),
        ("fav:maybe", (4, 9), "yes or no"),
        ("style:shiny", (6, 11), "Unknown style type"),
    ],
)
def test_mistakes_are_reported_where_they_are(text: str, span: tuple[int, int], words: str) -> None:
    s = p(text)
    assert s.errors, text
    first = s.errors[0]
    assert (first.start, first.end) == span, first
    assert words in first.message


def test_a_mistake_in_a_list_points_at_the_bad_value() -> None:
    s = p("op:edit,zap,remix")
    assert s.query.operations == ("edit", "remix")
    assert [(e.start, e.end) for e in s.errors] == [(8, 11)]


def test_what_is_understood_is_still_searched() -> None:
    s = p('castle foo:bar op:edit "unclosed phrase')
    assert s.query.operations == ("edit",)
    assert s.query.text == 'castle "unclosed phrase"'
    assert len(s.errors) == 2


def test_random_junk_never_raises() -> None:
    rng = random.Random(7)
    alphabet = string.printable + '"""---:::,,,<>=é★ \t'
    words = ["tag:", "op:", "rating:", "-", '"', "fav", "date:", "ratio:", ":", ">=", "preset:", "after:", ","]
    for _ in range(4000):
        n = rng.randrange(0, 40)
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(n))
        else:
            text = "".join(rng.choice(words) + rng.choice(("", "x", "5", "edit", " ", '"a b"')) for _ in range(n // 4))
        s = parse_search(text)
        for e in s.errors:
            assert 0 <= e.start < e.end <= max(len(text), e.start + 1), (text, e)
        where_search(s)  # builds valid SQL pieces for anything


# ---- editing the text ------------------------------------------------------------------------------


def test_toggle_values_in_the_text() -> None:
    assert toggle_value("cat", "op", "edit", True) == "cat op:edit"
    assert toggle_value("cat op:edit", "op", "edit", True) == "cat op:edit"
    assert toggle_value("cat op:edit,remix", "op", "edit", False) == "cat op:remix"
    assert toggle_value("cat op:edit dog", "op", "edit", False) == "cat dog"
    assert toggle_value("", "tag", "brand kit", True) == 'tag:"brand kit"'
    assert toggle_value('tag:"brand kit" x', "tag", "brand kit", False) == "x"
    assert toggle_value("", "preset", "ART_DECO", True) == "preset:art_deco"
    assert p(toggle_value("", "preset", "ART_DECO", True)).query.style_presets == ("ART_DECO",)
    assert toggle_value("", "preset", None, True) == "preset:none"


def test_remove_terms() -> None:
    text = "cat rating:>=3 date:week after:2025-01-01"
    assert remove_terms(text, lambda t: t.field == "rating") == "cat date:week after:2025-01-01"
    assert remove_terms(text, lambda t: t.field in ("date", "after")) == "cat rating:>=3"


def test_neighbour_after_a_delete() -> None:
    assert neighbour_row([5], 10) == 5  # the next image slides into place
    assert neighbour_row([9], 10) == 8  # the last: the one before
    assert neighbour_row([3, 4, 7], 10) == 3
    assert neighbour_row(range(10), 10) is None


# ---- against a real index ----------------------------------------------------------------------------


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


@pytest.fixture
def reader(gallery: Gallery) -> Iterator[LibraryReader]:
    r = LibraryReader(gallery)
    yield r
    r.close()


def _hashes(gallery: Gallery, reader: LibraryReader, text: str) -> set[str]:
    return {row.hash for row in reader.rows_for(reader.ids(parse_search(text)))}


def test_searches_run_against_the_index(gallery: Gallery, reader: LibraryReader) -> None:
    t0 = datetime(2025, 3, 10, 12, tzinfo=UTC)
    a = store_result(gallery, 1, "a red car at night", created_at=t0)
    b = store_result(gallery, 2, "a red car at noon", created_at=t0 + timedelta(days=1),
                     request={"style_preset": "WATERCOLOR"})
    c = store_result(gallery, 3, "a blue boat", created_at=t0 + timedelta(days=2), operation="edit")
    gallery.add_tags([a], ["draft"])
    gallery.add_tags([b, c], ["final"])
    gallery.set_rating([a], 5)
    gallery.set_rating([b], 2)
    gallery.set_favourite([c], True)

    assert _hashes(gallery, reader, "red car") == {a, b}
    assert _hashes(gallery, reader, "red -night") == {b}
    assert _hashes(gallery, reader, '-"red car"') == {c}
    assert _hashes(gallery, reader, "-tag:draft") == {b, c}
    assert _hashes(gallery, reader, "tag:final -tag:draft") == {b, c}
    assert _hashes(gallery, reader, "rating:<3") == {b, c}
    assert _hashes(gallery, reader, "rating:2") == {b}
    assert _hashes(gallery, reader, "rating:>=2") == {a, b}
    assert _hashes(gallery, reader, "fav") == {c}
    assert _hashes(gallery, reader, "preset:watercolor") == {b}
    assert _hashes(gallery, reader, "op:edit") == {c}
    assert _hashes(gallery, reader, "after:2025-03-11") == {b, c}
    assert _hashes(gallery, reader, "before:2025-03-11") == {a}
    assert _hashes(gallery, reader, "date:2025-03-11") == {b}
    assert _hashes(gallery, reader, "foo:bar red") == {a, b}  # the mistake is left out, the rest searched

    s = parse_search("red -night")
    assert reader.count(s) == 1
    facets = reader.facets(parse_search("red rating:<3"), ("rating", "style_preset"))
    assert {f.value: f.count for f in facets["rating"]} == {5: 1, 2: 1}  # its own filter left out
    assert {f.value: f.count for f in facets["style_preset"]} == {"WATERCOLOR": 1}
    newest = s.with_query(sort=Sort.NEWEST)
    b_id = gallery.get(b).id  # type: ignore[union-attr]
    assert reader.position(newest, b_id) == 0
    assert reader.position(parse_search("red").with_query(sort=Sort.OLDEST), b_id) == 1
    assert reader.position(parse_search("boat"), b_id) is None


def test_date_counts(gallery: Gallery, reader: LibraryReader) -> None:
    today = date.today()
    now = datetime.now(UTC)
    store_result(gallery, 1, "now", created_at=now)
    store_result(gallery, 2, "long ago", created_at=now - timedelta(days=400))
    counts = reader.date_counts(parse_search("date:today"), today)
    assert counts.today == 1 and counts.month >= 1
    assert reader.count(Search(query=ImageQuery())) == 2
