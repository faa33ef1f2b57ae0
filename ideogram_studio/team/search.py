"""The library's search syntax (gallery/search_syntax.py) as PostgreSQL: full-text search, filters,
keyset paging. One parser for both libraries, so a search means the same thing in each.

User text reaches PostgreSQL only as bound parameters. Words become a `tsquery` built from the
same words the local FTS5 query uses (letters and digits only, so no tsquery syntax can be
injected): words AND'ed, "phrases" as `<->` chains, the last bare word as a prefix (`:*`).
The text search configuration is `simple` (no stemming, no stop words), as the local index's
unicode61 tokenizer.

Facets are the local ones with one difference: `rating` is the team rating (the rounded mean of
everyone's ratings) and `fav` means "the images you gave five stars" (favourites are personal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..gallery.query import ImageQuery, Sort, fts_query
from ..gallery.search_syntax import Search

#: Local facet name → column of the team's images table.
COLUMN_FACETS = ("operation", "style_preset", "style_type", "palette", "aspect_ratio", "rendering_speed", "source")
FACETS = (*COLUMN_FACETS, "rating", "tag", "published_by")
_FIELD_OF = {
    "operation": "operations", "style_preset": "style_presets", "style_type": "style_types", "palette": "palettes",
    "aspect_ratio": "aspect_ratios", "rendering_speed": "rendering_speeds", "source": "sources",
}
_GROUP = re.compile(r'"([^"]*)"(\*)?')
_TSWORD = re.compile(r"^\w+$", re.UNICODE)

_ORDER = {
    Sort.NEWEST: "images.created_at DESC, images.id DESC",
    Sort.OLDEST: "images.created_at ASC, images.id ASC",
    Sort.RATING: "images.rating DESC, images.created_at DESC, images.id DESC",
    Sort.PROMPT: "images.prompt IS NULL, lower(images.prompt) ASC, images.created_at DESC, images.id DESC",
}


@dataclass(frozen=True)
class TeamCursor:
    """Where the next page starts: a key (date and rating sorts) or an offset (prompt sort)."""

    created_at: datetime | None = None
    id: int | None = None
    rating: int | None = None
    offset: int = 0


def fts_to_tsquery(expression: str | None) -> str | None:
    """An FTS5 expression as `fts_query` builds it ("a" AND "b c" AND "d"*) → a tsquery text."""
    if not expression:
        return None
    parts: list[str] = []
    for m in _GROUP.finditer(expression):
        words = [w for w in m.group(1).split() if _TSWORD.match(w)]
        if not words:
            continue
        if m.group(2):
            words[-1] += ":*"
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts) or None


def tsquery_for(text: str) -> str | None:
    """The tsquery for free text typed in the search field (None: no words)."""
    return fts_to_tsquery(fts_query(text))


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    real = [v for v in values if v is not None]
    terms = []
    if real:
        terms.append(f"{column} = ANY(%s)")
        params.append(list(real))
    if len(real) != len(values):
        terms.append(f"{column} IS NULL")
    return "(" + " OR ".join(terms) + ")"


def where_query(q: ImageQuery, params: list[Any]) -> list[str]:
    terms: list[str] = []
    if q.trashed is not None:
        terms.append("images.trashed_at IS NOT NULL" if q.trashed else "images.trashed_at IS NULL")
    if q.inputs is not None:
        terms.append("images.is_input" if q.inputs else "NOT images.is_input")
    for facet, attr in _FIELD_OF.items():
        values = getattr(q, attr)
        if values:
            terms.append(_in(f"images.{facet}", values, params))
    if q.created_from is not None:
        terms.append("images.created_at >= %s")
        params.append(q.created_from)
    if q.created_to is not None:
        terms.append("images.created_at < %s")
        params.append(q.created_to)
    if q.favourite is not None:
        mine = ("EXISTS (SELECT 1 FROM ratings WHERE ratings.hash = images.hash AND ratings.person = current_user "
                "AND ratings.rating = 5)")
        terms.append(mine if q.favourite else f"NOT {mine}")
    if q.flag is not None:
        # Culling flags are the designer's own, kept in the local library only: none in the team's.
        terms.append("FALSE" if q.flag != 0 else "TRUE")
    if q.min_rating > 0:
        terms.append("images.rating >= %s")
        params.append(int(q.min_rating))
    for tag in q.tags:
        terms.append("images.tags_folded @> ARRAY[lower(%s)]")
        params.append(" ".join(tag.split()))
    if q.collection is not None:
        terms.append("images.hash IN (SELECT hash FROM collection_images WHERE collection_id = %s)")
        params.append(int(q.collection))
    ts = tsquery_for(q.text)
    if ts is not None:
        terms.append("images.search @@ to_tsquery('simple', %s)")
        params.append(ts)
    return terms


def where_search(search: Search, *, published_by: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """The WHERE clause of a parsed search (never empty) and its parameters."""
    params: list[Any] = []
    terms = where_query(search.query, params)
    excluded = [t for t in (fts_to_tsquery(e) for e in search.exclude) if t]
    if excluded:
        terms.append("NOT (images.search @@ to_tsquery('simple', %s))")
        params.append(" | ".join(f"({e})" for e in excluded))
    for tag in search.exclude_tags:
        terms.append("NOT (images.tags_folded @> ARRAY[lower(%s)])")
        params.append(" ".join(tag.split()))
    if search.max_rating is not None:
        terms.append("images.rating <= %s")
        params.append(int(search.max_rating))
    if published_by:
        terms.append("images.published_by = ANY(%s)")
        params.append(list(published_by))
    return " AND ".join(terms) or "TRUE", params


def order_by(sort: Sort) -> str:
    return _ORDER[sort]


def keyset_after(sort: Sort, cursor: TeamCursor) -> tuple[str, list[Any]]:
    """The condition for rows after the cursor ('' for the offset-paged prompt sort)."""
    if sort is Sort.NEWEST:
        return "(images.created_at, images.id) < (%s, %s)", [cursor.created_at, cursor.id]
    if sort is Sort.OLDEST:
        return "(images.created_at, images.id) > (%s, %s)", [cursor.created_at, cursor.id]
    if sort is Sort.RATING:
        return "(images.rating, images.created_at, images.id) < (%s, %s, %s)", [
            cursor.rating, cursor.created_at, cursor.id]
    return "", []
