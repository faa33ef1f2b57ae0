"""The gallery's read path, written once: rows, ids, counts, pages and facet counts over a SQLite
connection of the index.

Both readers of the index use it: `GalleryIndex` (the Gallery's own, shared read connection,
filtered by an ImageQuery) and `LibraryReader` (the library browser's connections, one per thread,
filtered by a parsed Search, which adds words and tags to leave out and a highest rating). Each
passes its connection and its WHERE clause; the SQL and the counting live only here.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from ._util import from_iso, to_iso
from .fts_prefix import FTS_COLUMNS, LongPrefix, long_prefix
from .models import FacetValue, ImageRow, Page
from .query import FACETS, FTS_IN, Cursor, ImageQuery, Sort, keyset_after, order_by, where
from .search_syntax import Search

#: Ids per `IN (…)` list (SQLite's default limit on variables is far above; keeps statements small).
CHUNK = 500
#: The columns an ImageRow is made from (`row_from_sql`).
ROW_COLUMNS = (
    "id, hash, path, width, height, format, bytes, created_at, added_at, operation, source, prompt, "
    "prompt_used, negative_prompt, style_type, style_preset, palette, aspect_ratio, resolution, seed, "
    "rendering_speed, job_id, is_input, favourite, rating, trashed_at, tags_text, flag"
)
#: How the search syntax's words to leave out read in a WHERE clause (where_search).
FTS_NOT_IN = "images.id NOT IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ?)"
#: Facets counted per value and listed highest value first (the others: most frequent first).
_BY_VALUE = ("rating", "favourite")
T = TypeVar("T")
#: The WHERE clause (never empty) and its parameters for the counts of one facet.
FilterFor = Callable[[str], tuple[str, list[Any]]]


def chunks(items: Sequence[T], n: int = CHUNK) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def marks(n: int) -> str:
    return ",".join("?" * n)


def row_from_sql(r: sqlite3.Row) -> ImageRow:
    """An ImageRow from a row selected with ROW_COLUMNS."""
    return ImageRow(
        id=r["id"],
        hash=r["hash"],
        path=r["path"],
        width=r["width"],
        height=r["height"],
        format=r["format"],
        bytes=r["bytes"],
        created_at=from_iso(r["created_at"]),
        added_at=from_iso(r["added_at"]),
        operation=r["operation"],
        source=r["source"],
        prompt=r["prompt"],
        prompt_used=r["prompt_used"],
        negative_prompt=r["negative_prompt"],
        style_type=r["style_type"],
        style_preset=r["style_preset"],
        palette=r["palette"],
        aspect_ratio=r["aspect_ratio"],
        resolution=r["resolution"],
        seed=r["seed"],
        rendering_speed=r["rendering_speed"],
        job_id=r["job_id"],
        is_input=bool(r["is_input"]),
        favourite=bool(r["favourite"]),
        rating=r["rating"],
        trashed_at=from_iso(r["trashed_at"]) if r["trashed_at"] else None,
        tags=tuple(r["tags_text"].split("\n")) if r["tags_text"] else (),
        flag=r["flag"],
    )


def where_search(search: Search) -> tuple[str, list[Any]]:
    """The WHERE clause of a parsed search (never empty) and its parameters: the ImageQuery's
    clause plus what only the search syntax can say."""
    clause, params = where(search.query)
    terms = [clause]
    if search.exclude:
        terms.append(FTS_NOT_IN)
        params.append(" OR ".join(f"({e})" for e in search.exclude))
    for tag in search.exclude_tags:
        terms.append(
            "images.id NOT IN (SELECT image_tags.image_id FROM image_tags JOIN tags ON tags.id = image_tags.tag_id "
            "WHERE tags.name = ?)"
        )
        params.append(" ".join(tag.split()))
    if search.max_rating is not None:
        terms.append("images.rating <= ?")
        params.append(int(search.max_rating))
    return " AND ".join(terms), params


def query_filter(query: ImageQuery) -> FilterFor:
    """Facet filters for an ImageQuery: the query minus the facet's own filter."""
    return lambda facet: where(query.without(facet))


def search_filter(search: Search) -> FilterFor:
    """Facet filters for a parsed search: the search minus the facet's own filter."""
    return lambda facet: where_search(search.without(facet))


# ---- reads -------------------------------------------------------------------------------------


def select_ids(conn: sqlite3.Connection, clause: str, params: Sequence[Any], sort: Sort) -> list[int]:
    """The ids of the whole result, in the sort's order."""
    sql = f"SELECT images.id FROM images WHERE {clause} ORDER BY {order_by(sort)}"
    return [r[0] for r in conn.execute(sql, list(params)).fetchall()]


def count_where(conn: sqlite3.Connection, clause: str, params: Sequence[Any]) -> int:
    return int(conn.execute(f"SELECT count(*) FROM images WHERE {clause}", list(params)).fetchone()[0])


def fetch_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[ImageRow]:
    """Rows in the order of `ids`; ids no longer in the index are left out."""
    found: dict[int, ImageRow] = {}
    ids = list(ids)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    for chunk in chunks(ids):
        cur.execute(f"SELECT {ROW_COLUMNS} FROM images WHERE id IN ({marks(len(chunk))})", list(chunk))
        for r in cur.fetchall():
            found[r["id"]] = row_from_sql(r)
    return [found[i] for i in ids if i in found]


def _paged(clause: str, params: list[Any], sort: Sort, after: Cursor | None) -> tuple[str, list[Any], int]:
    """The clause and parameters for the page after `after`, and the offset: keyset paging
    (created_at, id) for the date sorts, an offset for the others."""
    if after is None:
        return clause, params, 0
    if sort.keyset and after.created_at is not None and after.id is not None:
        extra, extra_params = keyset_after(sort, after)
        return f"{clause} AND {extra}", [*params, *extra_params], 0
    return clause, params, after.offset


def select_page(conn: sqlite3.Connection, clause: str, params: Sequence[Any], sort: Sort, *,
                after: Cursor | None = None, limit: int = 200) -> Page:
    """One page of rows; `Page.next` is where the next one starts (None at the end)."""
    clause, params, offset = _paged(clause, list(params), sort, after)
    sql = f"SELECT {ROW_COLUMNS} FROM images WHERE {clause} ORDER BY {order_by(sort)} LIMIT ? OFFSET ?"
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = [row_from_sql(r) for r in cur.execute(sql, [*params, limit + 1, offset]).fetchall()]
    more = len(rows) > limit
    rows = rows[:limit]
    nxt: Cursor | None = None
    if more and rows:
        last = rows[-1]
        nxt = Cursor(created_at=to_iso(last.created_at), id=last.id, offset=offset + limit)
    return Page(rows, nxt)


#: From this many full-text matches on, a page in date order is read by windows (below); with
#: fewer, the few matching rows are looked up and sorted (a window would walk the whole index).
DENSE_MATCHES = 2_000
#: Rows of the date index read per window (doubling up to MAX_WINDOW while the page is not full).
WINDOW = 8_192
MAX_WINDOW = 131_072


#: Rows whose texts are read at once to check a long prefix (fts_prefix.py).
CHECK_CHUNK = 256


def _split_fts(clause: str, params: Sequence[Any]) -> tuple[str, list[Any], list[tuple[bool, str]]]:
    """The clause without its full-text terms (each becomes `1`), the parameters left, and the
    terms in order: (True: must match, False: must not; the MATCH expression)."""
    rest = list(params)
    terms: list[tuple[bool, str]] = []
    while True:
        hits = [(clause.find(t), t) for t in (FTS_IN, FTS_NOT_IN) if clause.find(t) >= 0]
        if not hits:
            return clause, rest, terms
        pos, term = min(hits)
        terms.append((term == FTS_IN, rest.pop(clause[:pos].count("?"))))
        clause = f"{clause[:pos]}1{clause[pos + len(term):]}"


def _narrowed(terms: list[tuple[bool, str]]) -> tuple[list[tuple[bool, str]], list[LongPrefix]]:
    """The terms with each long last prefix cut to what the index keeps lists for, and those
    prefixes (to check against the texts of what the cut terms find)."""
    out: list[tuple[bool, str]] = []
    checks: list[LongPrefix] = []
    for must, match in terms:
        long = long_prefix(match) if must else None
        if long is not None:
            checks.append(long)
            match = long.narrowed
        out.append((must, match))
    return out, checks


def _kept(conn: sqlite3.Connection, ids: Sequence[int], checks: list[LongPrefix]) -> set[int]:
    """Those of `ids` whose texts have a word starting with every long prefix."""
    patterns = [(c, c.pattern()) for c in checks]
    sql = f"SELECT id, {', '.join(FTS_COLUMNS)} FROM images WHERE id IN ({marks(len(ids))})"
    return {r[0] for r in conn.execute(sql, list(ids)) if all(c.keeps(r[1:], p) for c, p in patterns)}


#: The default view's terms, as where() writes them: implied by the images_visible index.
_VISIBLE = ("images.trashed_at IS NULL", "images.is_input = 0")


def _windowed(conn: sqlite3.Connection, clause: str, params: Sequence[Any]) -> bool:
    """True when a date-ordered page is best read by windows: the words to find are common (or
    there are only words to leave out). Then every full-text list would hold a large share of
    the library, and building it whole (SQLite's plan) costs ~0.2 s per 250,000 matches."""
    if FTS_IN not in clause and FTS_NOT_IN not in clause:
        # Filters alone in the default view ("op:edit rating:>=3"): SQLite would drive them by
        # the operation index and sort 200,000 rows (~0.65 s at a million); the windows read the
        # covering date index until the page is full.
        return clause != " AND ".join(_VISIBLE) and all(term in clause for term in _VISIBLE)
    sql = "SELECT count(*) FROM (SELECT 1 FROM images_fts WHERE images_fts MATCH ? LIMIT ?)"
    terms, _checks = _narrowed(_split_fts(clause, params)[2])
    return all(conn.execute(sql, (match, DENSE_MATCHES)).fetchone()[0] >= DENSE_MATCHES
               for must, match in terms if must)


#: Below this share of matches among the rows a window read, the rest of the page is read by
#: SQLite's own plan (the matches' list, sorted): a rare combination of common words, or a common
#: word within a small tag. At 2%, a first page of 1,000 would read 50,000 rows by windows.
MIN_DENSITY = 0.02


def _windowed_id_page(conn: sqlite3.Connection, clause: str, params: Sequence[Any], sort: Sort,
                      after: Cursor | None, limit: int | None) -> tuple[Sequence[int], Cursor | None]:
    """select_id_page for common words, in date order: walk the date index a window at a time
    (the other filters read from the index, schema v5, as one flag per row), and keep the
    window's images that the full-text index finds among the window's id range only (FTS5 seeks
    a rowid range: a few thousand entries, not every match in the library). The first page of
    "c" at a million rows reads ~8,000 index entries. A last word longer than the index's
    prefixes is found by its first letters and checked against the texts (fts_prefix.py). When
    a window finds few matches (MIN_DENSITY), the rest of the page is read by SQLite's plan.
    Exact whatever the ids' order; fastest when ids grow with dates (they mostly do)."""
    base, base_params, long_terms = _split_fts(clause, params)
    terms, checks = _narrowed(long_terms)
    visible = all(v in base for v in _VISIBLE)
    index = "images_visible" if visible else "images_created"  # both in (created_at, id) order
    walk = " AND ".join(_VISIBLE) if visible else "1"
    flag = base
    for term in _VISIBLE if visible else ():  # implied by the index (its columns would need the table)
        flag = flag.replace(term, "1")
    in_range = "SELECT rowid FROM images_fts WHERE images_fts MATCH ? AND rowid BETWEEN ? AND ?"
    ids: array[int] = array("q")
    window, cursor = WINDOW, after
    last: tuple[int, str] | None = None
    while True:
        where_sql, where_params, _offset = _paged(walk, [], sort, cursor)
        rows = conn.execute(f"SELECT images.id, images.created_at, ({flag}) FROM images INDEXED BY {index} "
                            f"WHERE {where_sql} ORDER BY {order_by(sort)} LIMIT ?",
                            [*base_params, *where_params, window]).fetchall()
        keep = [r for r in rows if r[2]]
        if keep:
            lo, hi = min(r[0] for r in keep), max(r[0] for r in keep)
            wanted: set[int] | None = None
            unwanted: set[int] = set()
            for must, match in terms:
                matched = {r[0] for r in conn.execute(in_range, (match, lo, hi))}
                if must:
                    wanted = matched if wanted is None else wanted & matched
                else:
                    unwanted |= matched
            keep = [r for r in keep if (wanted is None or r[0] in wanted) and r[0] not in unwanted]
        step = CHECK_CHUNK if checks else max(1, len(keep))
        found = 0
        for start in range(0, len(keep), step):  # a long prefix: checked a chunk at a time, as needed
            chunk = keep[start : start + step]
            if checks:
                kept = _kept(conn, [r[0] for r in chunk], checks)
                chunk = [r for r in chunk if r[0] in kept]
            for image_id, created_at, _flag in chunk:
                if limit is not None and len(ids) == limit:
                    assert last is not None
                    return ids, Cursor(created_at=last[1], id=last[0], offset=0)
                ids.append(image_id)
                last = (image_id, created_at)
                found += 1
        if len(rows) < window:
            return ids, None
        cursor = Cursor(created_at=rows[-1][1], id=rows[-1][0])
        if limit is not None and len(ids) == limit:
            assert last is not None
            return ids, Cursor(created_at=last[1], id=last[0], offset=0)
        if found < MIN_DENSITY * len(rows):
            more, nxt = _plain_id_page(conn, clause, params, sort, cursor,
                                       None if limit is None else limit - len(ids))
            ids.extend(more)
            return ids, nxt
        window = min(MAX_WINDOW, window * 2)


def select_id_page(conn: sqlite3.Connection, clause: str, params: Sequence[Any], sort: Sort, *,
                   after: Cursor | None = None, limit: int | None = None) -> tuple[Sequence[int], Cursor | None]:
    """One page of ids (`limit` None: all the rest) and where the next page starts (None at the end).

    The ids come as an `array('q')`, read row by row: a million of them are 8 MB, never a
    million tuples and ints at once."""
    if sort.keyset and (after is None or after.created_at is not None) and _windowed(conn, clause, params):
        return _windowed_id_page(conn, clause, params, sort, after, limit)
    return _plain_id_page(conn, clause, params, sort, after, limit)


def _plain_id_page(conn: sqlite3.Connection, clause: str, params: Sequence[Any], sort: Sort,
                   after: Cursor | None, limit: int | None) -> tuple[array[int], Cursor | None]:
    """select_id_page by SQLite's own plan."""
    clause, params, offset = _paged(clause, list(params), sort, after)
    sql = (f"SELECT images.id, images.created_at FROM images WHERE {clause} ORDER BY {order_by(sort)} "
           "LIMIT ? OFFSET ?")
    cur = conn.execute(sql, [*params, -1 if limit is None else limit + 1, offset])
    if limit is None:
        return array("q", (r[0] for r in cur)), None
    ids = array("q")
    last: tuple[int, str] | None = None
    for r in cur:
        if len(ids) == limit:  # one more than the page: there is a next page
            assert last is not None
            return ids, Cursor(created_at=last[1], id=last[0], offset=offset + limit)
        ids.append(r[0])
        last = (r[0], r[1])
    return ids, None


def facet_counts(conn: sqlite3.Connection, filter_for: FilterFor,
                 fields: Sequence[str] = FACETS) -> dict[str, list[FacetValue]]:
    """Counts per value of each field, each under `filter_for(field)` (the filter minus that
    field's own, so a facet lists every value it could switch to).

    Fields whose counts run under the same filter (none of them is filtered on) share one scan: a
    GROUP BY over all of them, added up per field here. Tags are counted through their own join.
    Rating and favourite are listed highest value first; the others most frequent first, then
    by value (missing values last among equals).
    """
    unknown = [f for f in fields if f not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r}")
    out: dict[str, list[FacetValue]] = {}
    groups: dict[tuple[str, tuple[Any, ...]], list[str]] = {}
    for name in fields:
        clause, params = filter_for(name)
        if name == "tag":
            sql = (
                "SELECT tags.name, count(*) FROM images JOIN image_tags ON image_tags.image_id = images.id "
                f"JOIN tags ON tags.id = image_tags.tag_id WHERE {clause} "
                "GROUP BY tags.id ORDER BY count(*) DESC, tags.name COLLATE NOCASE"
            )
            out[name] = [FacetValue(v, c) for v, c in conn.execute(sql, params).fetchall()]
        else:
            groups.setdefault((clause, tuple(params)), []).append(name)
    for (group_clause, group_params), names in groups.items():
        cols = ", ".join(f"images.{n}" for n in names)
        counts: list[dict[Any, int]] = [{} for _ in names]
        sql = f"SELECT {cols}, count(*) FROM images WHERE {group_clause} GROUP BY {cols}"
        for row in conn.execute(sql, list(group_params)).fetchall():
            n = row[len(names)]
            for i, c in enumerate(counts):
                c[row[i]] = c.get(row[i], 0) + n
        for name, c in zip(names, counts, strict=True):
            if name in _BY_VALUE:
                items = sorted(c.items(), key=lambda kv: -int(kv[0] or 0))
            else:
                items = sorted(c.items(), key=lambda kv: (-kv[1], kv[0] is not None, str(kv[0] or "")))
            out[name] = [FacetValue(v, n) for v, n in items]
    return {name: out[name] for name in fields}
