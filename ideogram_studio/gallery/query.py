"""Filters, sorting and paging of the image index, as SQL built only from placeholders.

User text reaches SQLite only as bound parameters; the FTS5 query is rebuilt from the words of
the text, each double-quoted, so no input can raise an FTS5 syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from ._util import to_iso

#: Facet fields that are plain columns of `images`.
COLUMN_FACETS = ("operation", "style_preset", "style_type", "palette", "aspect_ratio", "rendering_speed", "source")
FACETS = (*COLUMN_FACETS, "rating", "favourite", "tag")


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RATING = "rating"  # highest first, then newest
    PROMPT = "prompt"  # A→Z, case-insensitive, then newest

    @property
    def keyset(self) -> bool:
        return self in (Sort.NEWEST, Sort.OLDEST)


_ORDER = {
    Sort.NEWEST: "images.created_at DESC, images.id DESC",
    Sort.OLDEST: "images.created_at ASC, images.id ASC",
    Sort.RATING: "images.rating DESC, images.created_at DESC, images.id DESC",
    Sort.PROMPT: "images.prompt IS NULL, images.prompt COLLATE NOCASE ASC, images.created_at DESC, images.id DESC",
}


@dataclass(frozen=True)
class ImageQuery:
    """What to show. Values within one field are OR'ed (None matches a missing value); fields AND'ed."""

    text: str = ""
    operations: tuple[str | None, ...] = ()
    style_presets: tuple[str | None, ...] = ()
    style_types: tuple[str | None, ...] = ()
    palettes: tuple[str | None, ...] = ()
    aspect_ratios: tuple[str | None, ...] = ()
    rendering_speeds: tuple[str | None, ...] = ()
    sources: tuple[str | None, ...] = ()
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    favourite: bool | None = None
    #: The culling flag: 1 picked, -1 rejected, 0 unflagged (None: any).
    flag: int | None = None
    min_rating: int = 0
    tags: tuple[str, ...] = ()  # every one of them
    collection: int | None = None
    include_subcollections: bool = True
    trashed: bool | None = False  # False: not in trash; True: only the trash; None: both
    inputs: bool | None = False  # False: results and imports; True: only inputs; None: both
    sort: Sort = Sort.NEWEST

    def without(self, facet: str) -> ImageQuery:
        """The same query minus the filter on one facet (for the facet's own counts)."""
        if facet == "tag":
            return replace(self, tags=())
        if facet == "rating":
            return replace(self, min_rating=0)
        if facet == "favourite":
            return replace(self, favourite=None)
        changes: dict[str, Any] = {_FIELD_OF[facet]: ()}
        return replace(self, **changes)


_FIELD_OF = {
    "operation": "operations",
    "style_preset": "style_presets",
    "style_type": "style_types",
    "palette": "palettes",
    "aspect_ratio": "aspect_ratios",
    "rendering_speed": "rendering_speeds",
    "source": "sources",
}


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: a key (date sorts) or an offset (other sorts)."""

    created_at: str | None = None
    id: int | None = None
    offset: int = 0


# ---- FTS5 ------------------------------------------------------------------------------------

_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text) if w]


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """A safe FTS5 MATCH expression for free text: every word must appear.

    "quoted text" stays a phrase; other words are matched as words (the last as a prefix, for
    search-as-you-type). Punctuation separates words, as the index's tokenizer does. Returns
    None when the text has no words at all.
    """
    parts: list[str] = []
    last_is_word = False
    for m in _PIECE.finditer(text):
        phrase, bare = m.group(1), m.group(2)
        if phrase is not None:
            words = _words(phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
                last_is_word = False
        else:
            words = _words(bare or "")
            for w in words:
                parts.append(f'"{w}"')
            last_is_word = bool(words) or last_is_word
    if not parts:
        return None
    if prefix_last and last_is_word and parts[-1].count(" ") == 0:
        parts[-1] += "*"
    return " AND ".join(parts)


# ---- WHERE -----------------------------------------------------------------------------------

#: The full-text filter as it reads in a WHERE clause (reads.py may turn it into a per-row check).
FTS_IN = "images.id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ?)"


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    real = [v for v in values if v is not None]
    terms = []
    if real:
        terms.append(f"{column} IN ({','.join('?' * len(real))})")
        params.extend(real)
    if len(real) != len(values):
        terms.append(f"{column} IS NULL")
    return "(" + " OR ".join(terms) + ")"


def where(q: ImageQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (without the keyword; never empty) and its parameters."""
    terms: list[str] = []
    params: list[Any] = []
    if q.trashed is not None:
        terms.append("images.trashed_at IS NOT NULL" if q.trashed else "images.trashed_at IS NULL")
    if q.inputs is not None:
        terms.append(f"images.is_input = {1 if q.inputs else 0}")
    for facet, attr in _FIELD_OF.items():
        values = getattr(q, attr)
        if values:
            terms.append(_in(f"images.{facet}", values, params))
    if q.created_from is not None:
        terms.append("images.created_at >= ?")
        params.append(to_iso(q.created_from))
    if q.created_to is not None:
        terms.append("images.created_at < ?")
        params.append(to_iso(q.created_to))
    if q.favourite is not None:
        terms.append(f"images.favourite = {1 if q.favourite else 0}")
    if q.flag is not None:
        terms.append("images.flag = ?")
        params.append(int(q.flag))
    if q.min_rating > 0:
        terms.append("images.rating >= ?")
        params.append(int(q.min_rating))
    for tag in q.tags:
        terms.append(
            "images.id IN (SELECT image_tags.image_id FROM image_tags JOIN tags ON tags.id = image_tags.tag_id "
            "WHERE tags.name = ?)"
        )
        params.append(tag.strip())
    if q.collection is not None:
        if q.include_subcollections:
            terms.append(
                "images.id IN (WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT collections.id FROM collections "
                "JOIN sub ON collections.parent_id = sub.id) SELECT image_id FROM collection_images "
                "WHERE collection_id IN sub)"
            )
        else:
            terms.append("images.id IN (SELECT image_id FROM collection_images WHERE collection_id = ?)")
        params.append(int(q.collection))
    match = fts_query(q.text)
    if match is not None:
        terms.append(FTS_IN)
        params.append(match)
    return (" AND ".join(terms) or "1"), params


def order_by(sort: Sort) -> str:
    return _ORDER[sort]


def keyset_after(sort: Sort, cursor: Cursor) -> tuple[str, list[Any]]:
    op = "<" if sort is Sort.NEWEST else ">"
    return f"(images.created_at, images.id) {op} (?, ?)", [cursor.created_at, cursor.id]
