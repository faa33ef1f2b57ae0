"""The library's search syntax: text typed in the search field → an ImageQuery plus what an
ImageQuery cannot say (words to leave out, tags to leave out, an upper bound on the rating), and
the mistakes found, each with its position in the text. Parsing never raises: whatever can be
understood is searched, the rest is reported.

    red car             images whose prompt, negative prompt or tags have both words (the
                        last word also matches as a prefix, for search-as-you-type)
    "red car"           the phrase
    -blurry -"old film" leave out images with that word or phrase
    tag:logo            has the tag (several tag: filters: every one); tag:"brand kit"
    -tag:draft          has not the tag
    preset:bauhaus      style preset (art_deco, art-deco or "art deco"); preset:none
    style:design        style type (auto, general, realistic, design, fiction, custom, stylized)
    palette:ember       colour palette (a preset's name, custom or none)
    ratio:16x9          aspect ratio, also written 16:9
    op:edit             what made it: generate, remix, edit, face-swap, reframe,
                        replace-background (or bg), upscale, import, input…
    rating:>=4          at least 4 stars; also >, <, <=, = and rating:5 (exactly 5),
                        rating:<3 (fewer than 3, unrated included), rating:0 (unrated)
    fav  -fav           favourites only / no favourites
    is:picked           picked in culling (P); also is:rejected (X), is:unflagged
    after:2025-03-01    on or after that day (local time); also today, yesterday
    before:2025-03-01   before that day
    date:today          within a day, week or month: today, yesterday, week (this week),
                        month (this month), 2025-03-14, 2025-03

Several values of one field match any of them (op:edit op:remix, or op:edit,remix); different
fields must all match. Field names are case-insensitive. A word that merely contains a colon
can be searched in quotes ("note: draft").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from ..api.enums import AspectRatio, PalettePreset, StylePreset, StyleType
from .query import ImageQuery, fts_query

__all__ = [
    "FIELDS",
    "OPERATIONS",
    "Search",
    "SearchIssue",
    "Term",
    "format_term",
    "parse_search",
    "remove_terms",
    "toggle_value",
]

#: What `op:` accepts: the operations results are stored with, plus imports and inputs.
OPERATIONS = (
    "generate", "generate-transparent", "remix", "edit", "face-swap", "reframe", "replace-background",
    "upscale", "describe", "layerize-text", "import", "input",
)
_OP_ALIASES = {
    "gen": "generate", "generated": "generate", "transparent": "generate-transparent",
    "inpaint": "edit", "edited": "edit", "faceswap": "face-swap", "face": "face-swap",
    "bg": "replace-background", "background": "replace-background", "replacebackground": "replace-background",
    "upscaled": "upscale", "imported": "import", "inputs": "input", "layerize": "layerize-text",
}
#: Field names the parser knows, with aliases.
FIELDS = {
    "tag": "tag", "tags": "tag",
    "preset": "preset", "style_preset": "preset",
    "style": "style", "type": "style", "style_type": "style",
    "palette": "palette",
    "ratio": "ratio", "aspect": "ratio", "ar": "ratio",
    "op": "op", "operation": "op",
    "rating": "rating", "stars": "rating",
    "after": "after", "since": "after",
    "before": "before",
    "date": "date", "on": "date",
    "fav": "fav", "is": "is",
}
_FAV_WORDS = {"fav", "favs", "favourite", "favourites", "favorite", "favorites"}
#: The culling flags is: takes (gallery/index.py FLAG_*: 1 picked, -1 rejected, 0 none).
_FLAG_WORDS = {"picked": 1, "pick": 1, "picks": 1, "rejected": -1, "reject": -1, "rejects": -1,
               "unflagged": 0, "unflag": 0}
_NONE_WORDS = {"none", "no", "null", "-"}
_RATING = re.compile(r"^(>=|<=|=>|=<|>|<|=)?\s*(\d+)$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RATIO = re.compile(r"^(\d{1,2})\s*[x:/×]\s*(\d{1,2})$")
_NAME = re.compile(r"[A-Za-z_]+")


@dataclass(frozen=True)
class SearchIssue:
    """A mistake in the search text: [start, end) in the text, and what is wrong in words."""

    start: int
    end: int
    message: str


@dataclass(frozen=True)
class Term:
    """One piece of the text as understood: a word or phrase (field None) or a field filter."""

    field: str | None
    raw: str
    start: int
    end: int
    negated: bool = False
    #: The values as stored in the index (field filters), e.g. ("ART_DECO",) or (None,) for none.
    values: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class Search:
    """A parsed search: the ImageQuery, what it cannot express, the pieces and the mistakes."""

    query: ImageQuery = field(default_factory=ImageQuery)
    #: FTS5 expressions of words and phrases to leave out (any of them excludes an image).
    exclude: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    #: Highest rating shown (None: no bound).
    max_rating: int | None = None
    terms: tuple[Term, ...] = ()
    errors: tuple[SearchIssue, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def with_query(self, **changes: object) -> Search:
        return replace(self, query=replace(self.query, **changes))  # type: ignore[arg-type]

    def without(self, facet: str) -> Search:
        """The same search minus its filter on one facet (for that facet's own counts)."""
        s = replace(self, query=self.query.without(facet))
        if facet == "rating":
            s = replace(s, max_rating=None)
        elif facet == "tag":
            s = replace(s, exclude_tags=())
        return s

    def active(self, facet: str, value: str | int | None) -> bool:
        """True when the search filters on this facet value (for a side bar's check marks)."""
        q = self.query
        if facet == "tag":
            return isinstance(value, str) and value.casefold() in {t.casefold() for t in q.tags}
        if facet == "favourite":
            return q.favourite is not None and bool(value) == q.favourite
        attr = _ATTR_OF_FACET.get(facet)
        return attr is not None and value in getattr(q, attr)


_ATTR_OF_FACET = {
    "operation": "operations", "style_preset": "style_presets", "style_type": "style_types",
    "palette": "palettes", "aspect_ratio": "aspect_ratios",
}
#: Search field → facet name of the index.
FIELD_FACET = {"op": "operation", "preset": "style_preset", "style": "style_type", "palette": "palette",
               "ratio": "aspect_ratio", "tag": "tag", "rating": "rating", "fav": "favourite"}
FACET_FIELD = {v: k for k, v in FIELD_FACET.items()}


# ---- scanning --------------------------------------------------------------------------------


@dataclass
class _Piece:
    start: int
    end: int
    negated: bool
    name: str | None  # field name as typed (None: a word or phrase)
    name_end: int
    value: str
    value_start: int
    quoted: bool
    unclosed: bool


def _read_value(text: str, i: int) -> tuple[str, int, bool, bool]:
    """Read a bare or quoted value at i: (value, end, quoted, unclosed)."""
    n = len(text)
    if i < n and text[i] == '"':
        close = text.find('"', i + 1)
        if close < 0:
            return text[i + 1 :], n, True, True
        return text[i + 1 : close], close + 1, True, False
    j = i
    while j < n and not text[j].isspace():
        j += 1
    return text[i:j], j, False, False


def _scan(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        m = _NAME.match(text, i)
        if m is not None and m.end() < n and text[m.end()] == ":":
            name_end = m.end()
            value, end, quoted, unclosed = _read_value(text, name_end + 1)
            value_start = name_end + 1 + (1 if quoted else 0)
            pieces.append(_Piece(start, end, negated, m.group(0), name_end, value, value_start, quoted, unclosed))
        else:
            value, end, quoted, unclosed = _read_value(text, i)
            pieces.append(_Piece(start, end, negated, None, i, value, i + (1 if quoted else 0), quoted, unclosed))
        i = max(end, i + 1)
    return pieces


# ---- values ----------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip()).upper()


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


def _enum_value(raw: str, choices: Sequence[str], what: str, extra: Sequence[str] = ()) -> tuple[str | None, str]:
    """(value, error): a value of one of `choices` (case and -/_/space insensitive), or None for none."""
    if raw.strip().lower() in _NONE_WORDS:
        return None, ""
    key = _key(raw)
    for c in (*choices, *extra):
        if _key(c) == key:
            return c, ""
    sample = ", ".join(c.lower() for c in list(choices)[:6])
    return None, f"Unknown {what} “{raw}”.{_suggest(raw, [*choices, *extra])} (for example {sample}…)"


def _preset_names() -> dict[str, str]:
    try:
        from ..resources.catalog import style_presets

        return {_key(info.name): info.preset.value for info in style_presets()}
    except Exception:  # a broken catalogue must not break searching
        return {}


_PRESETS = tuple(p.value for p in StylePreset)
_STYLES = tuple(s.value for s in StyleType)
_PALETTES = tuple(p.value for p in PalettePreset)
_RATIOS = tuple(a.value for a in AspectRatio)


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


def _day_word(raw: str, today: date) -> date | None:
    word = raw.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    m = _DAY.match(word)
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _period(raw: str, today: date) -> tuple[date, date] | None:
    """[first day, day after the last) of a date: filter's value."""
    word = raw.strip().lower()
    if word in ("week", "thisweek", "this-week", "this_week"):
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    if word in ("month", "thismonth", "this-month", "this_month"):
        start = today.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    day = _day_word(word, today)
    if day is not None:
        return day, day + timedelta(days=1)
    m = _MONTH.match(word)
    if m is not None:
        try:
            start = date(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            return None
        return start, (start + timedelta(days=32)).replace(day=1)
    return None


# ---- parsing ---------------------------------------------------------------------------------


@dataclass
class _Builder:
    text: str
    today: date
    words: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    values: dict[str, list[str | None]] = field(default_factory=dict)
    favourite: bool | None = None
    flag: int | None = None
    min_rating: int = 0
    max_rating: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    terms: list[Term] = field(default_factory=list)
    errors: list[SearchIssue] = field(default_factory=list)

    def error(self, start: int, end: int, message: str) -> None:
        # Within the text (an empty value at its very end has no character to mark: the one before).
        n = len(self.text)
        start = min(max(start, 0), max(n - 1, 0))
        self.errors.append(SearchIssue(start, min(max(end, start + 1), max(n, 1)), message))

    def add_from(self, when: datetime) -> None:
        self.created_from = when if self.created_from is None else max(self.created_from, when)

    def add_to(self, when: datetime) -> None:
        self.created_to = when if self.created_to is None else min(self.created_to, when)


def parse_search(text: str, *, today: date | None = None) -> Search:
    """Parse the search field's text (see the module doc). Never raises."""
    text = text if isinstance(text, str) else str(text)
    b = _Builder(text, today or date.today())
    for p in _scan(text):
        if p.unclosed:
            b.error(p.value_start - 1, p.end, "This quote is not closed; add a closing \" (searched as typed).")
        try:
            if p.name is None:
                _word(b, p)
            else:
                _field(b, p)
        except (ValueError, OverflowError, ArithmeticError):  # e.g. a date past year 9999
            b.error(p.start, p.end, "This filter's value is out of range; it was left out.")
    q = ImageQuery(
        text=" ".join(b.words),
        operations=tuple(dict.fromkeys(b.values.get("op", []))),
        style_presets=tuple(dict.fromkeys(b.values.get("preset", []))),
        style_types=tuple(dict.fromkeys(b.values.get("style", []))),
        palettes=tuple(dict.fromkeys(b.values.get("palette", []))),
        aspect_ratios=tuple(dict.fromkeys(b.values.get("ratio", []))),
        created_from=b.created_from,
        created_to=b.created_to,
        favourite=b.favourite,
        flag=b.flag,
        min_rating=b.min_rating,
        tags=tuple(dict.fromkeys(b.tags)),
    )
    return Search(
        query=q,
        exclude=tuple(dict.fromkeys(b.exclude)),
        exclude_tags=tuple(dict.fromkeys(b.exclude_tags)),
        max_rating=b.max_rating,
        terms=tuple(b.terms),
        errors=tuple(b.errors),
    )


def _word(b: _Builder, p: _Piece) -> None:
    raw = p.value
    if not p.quoted and raw.lower() in _FAV_WORDS:
        b.favourite = not p.negated
        b.terms.append(Term("fav", b.text[p.start : p.end], p.start, p.end, p.negated, ("0" if p.negated else "1",)))
        return
    piece = f'"{raw}"' if p.quoted else raw.replace('"', " ")
    if p.negated:
        expr = fts_query(piece, prefix_last=False)
        if expr is not None:
            b.exclude.append(expr)
    elif fts_query(piece) is not None:
        b.words.append(piece)
    b.terms.append(Term(None, b.text[p.start : p.end], p.start, p.end, p.negated))


def _field(b: _Builder, p: _Piece) -> None:
    assert p.name is not None
    name = FIELDS.get(p.name.lower())
    name_start = p.start + (1 if p.negated else 0)
    if name is None:
        known = ", ".join(sorted({*FIELDS.values()} - {"is"}))
        hint = _suggest(p.name, list(FIELDS))
        b.error(name_start, p.name_end + 1,
                f"Unknown filter “{p.name}:”.{hint} Known filters: {known}. Put text with a colon in quotes.")
        return
    value = p.value.strip()
    if name == "is":
        if value.lower() in _FAV_WORDS:
            b.favourite = not p.negated
            b.terms.append(Term("fav", b.text[p.start : p.end], p.start, p.end, p.negated,
                                ("0" if p.negated else "1",)))
        elif value.lower() in _FLAG_WORDS and not p.negated:
            b.flag = _FLAG_WORDS[value.lower()]
            b.terms.append(Term("flag", b.text[p.start : p.end], p.start, p.end, False, (str(b.flag),)))
        elif value.lower() in _FLAG_WORDS:
            b.error(p.start, p.start + 1, "Leaving out by is: is not supported; use is:picked, is:rejected or "
                    "is:unflagged for the ones you want.")
        else:
            b.error(p.value_start, p.end,
                    f"“is:{value}” is not known; use is:fav, is:picked, is:rejected or is:unflagged.")
        return
    if name == "fav":
        yes = value.lower() in ("", "yes", "y", "true", "1", "on")
        no = value.lower() in ("no", "n", "false", "0", "off")
        if not (yes or no):
            b.error(p.value_start, p.end, "fav: takes yes or no (or write just fav, or -fav).")
            return
        b.favourite = yes != p.negated
        b.terms.append(Term("fav", b.text[p.start : p.end], p.start, p.end, p.negated,
                            ("1" if b.favourite else "0",)))
        return
    if not value:
        b.error(name_start, p.end, f"{p.name}: needs a value, e.g. {_EXAMPLES[name]}.")
        return
    if p.negated and name != "tag":
        b.error(p.start, p.start + 1,
                f"Leaving out by {p.name}: is not supported; choose the {p.name} values you want instead.")
        return
    handler = _HANDLERS[name]
    handler(b, p, value)


_EXAMPLES = {
    "tag": "tag:logo", "preset": "preset:bauhaus", "style": "style:design", "palette": "palette:ember",
    "ratio": "ratio:16x9", "op": "op:edit", "rating": "rating:>=4", "after": "after:2025-03-01",
    "before": "before:today", "date": "date:week",
}


def _tag(b: _Builder, p: _Piece, value: str) -> None:
    tag = " ".join(value.split())
    if len(tag) > 100:
        b.error(p.value_start, p.end, "A tag is at most 100 characters long.")
        return
    (b.exclude_tags if p.negated else b.tags).append(tag)
    b.terms.append(Term("tag", b.text[p.start : p.end], p.start, p.end, p.negated, (tag,)))


def _listed(convert: Callable[[str], tuple[str | None, str]], name: str) -> Callable[[_Builder, _Piece, str], None]:
    def handle(b: _Builder, p: _Piece, value: str) -> None:
        found: list[str | None] = []
        pos = p.value_start
        for part in p.value.split(","):
            start = pos
            pos += len(part) + 1
            if not part.strip():
                continue
            v, err = convert(part)
            if err:
                b.error(start, start + len(part), err)
            else:
                found.append(v)
        if found:
            b.values.setdefault(name, []).extend(found)
            b.terms.append(Term(name, b.text[p.start : p.end], p.start, p.end, False, tuple(found)))

    return handle


def _preset(raw: str) -> tuple[str | None, str]:
    v, err = _enum_value(raw, _PRESETS, "style preset")
    if err:
        by_name = _preset_names().get(_key(raw))
        if by_name is not None:
            return by_name, ""
    return v, err


def _style(raw: str) -> tuple[str | None, str]:
    return _enum_value(raw, _STYLES, "style type")


def _palette(raw: str) -> tuple[str | None, str]:
    v, err = _enum_value(raw, _PALETTES, "palette", extra=("custom",))
    return (v.lower() if v == "custom" else v), err


def _ratio(raw: str) -> tuple[str | None, str]:
    if raw.strip().lower() in _NONE_WORDS:
        return None, ""
    m = _RATIO.match(raw.strip().lower())
    if m is None:
        return None, f"“{raw}” is not an aspect ratio; write it like 16x9 or 16:9."
    value = f"{int(m.group(1))}x{int(m.group(2))}"
    if value not in _RATIOS:
        return None, f"{value} is not one of the API's aspect ratios ({', '.join(_RATIOS)})."
    return value, ""


def _op(raw: str) -> tuple[str | None, str]:
    word = raw.strip().lower().replace("_", "-").replace(" ", "-")
    word = _OP_ALIASES.get(word.replace("-", ""), _OP_ALIASES.get(word, word))
    if word in OPERATIONS:
        return word, ""
    return None, f"Unknown operation “{raw}”.{_suggest(raw, OPERATIONS)} (known: {', '.join(OPERATIONS)})"


def _rating(b: _Builder, p: _Piece, value: str) -> None:
    m = _RATING.match(value.replace(" ", ""))
    if m is None:
        b.error(p.value_start, p.end, f"“{value}” is not a rating filter; write rating:>=4, rating:5 or rating:<3.")
        return
    digits = m.group(2).lstrip("0") or "0"
    op, n = m.group(1) or "=", int(digits) if len(digits) <= 3 else 999  # (4,301 digits: no int())
    op = {"=>": ">=", "=<": "<="}.get(op, op)
    if n > 5:
        b.error(p.value_start, p.end, "Ratings go from 0 (unrated) to 5 stars.")
        return
    lo, hi = {">=": (n, 5), ">": (n + 1, 5), "<=": (0, n), "<": (0, n - 1), "=": (n, n)}[op]
    if lo > 5 or hi < 0:
        b.error(p.value_start, p.end, f"No image can have a rating {op} {n}.")
        return
    b.min_rating = max(b.min_rating, lo)
    if hi < 5:
        b.max_rating = hi if b.max_rating is None else min(b.max_rating, hi)
    b.terms.append(Term("rating", b.text[p.start : p.end], p.start, p.end, False, (f"{op}{n}",)))


def _after(b: _Builder, p: _Piece, value: str) -> None:
    day = _day_word(value, b.today)
    if day is None:
        b.error(p.value_start, p.end, f"“{value}” is not a day; write YYYY-MM-DD, today or yesterday.")
        return
    b.add_from(_local_midnight(day))
    b.terms.append(Term("after", b.text[p.start : p.end], p.start, p.end, False, (day.isoformat(),)))


def _before(b: _Builder, p: _Piece, value: str) -> None:
    day = _day_word(value, b.today)
    if day is None:
        b.error(p.value_start, p.end, f"“{value}” is not a day; write YYYY-MM-DD, today or yesterday.")
        return
    b.add_to(_local_midnight(day))
    b.terms.append(Term("before", b.text[p.start : p.end], p.start, p.end, False, (day.isoformat(),)))


def _date(b: _Builder, p: _Piece, value: str) -> None:
    period = _period(value, b.today)
    if period is None:
        b.error(p.value_start, p.end,
                f"“{value}” is not a date; write today, yesterday, week, month, YYYY-MM-DD or YYYY-MM.")
        return
    b.add_from(_local_midnight(period[0]))
    b.add_to(_local_midnight(period[1]))
    b.terms.append(Term("date", b.text[p.start : p.end], p.start, p.end, False, (value.strip().lower(),)))


_HANDLERS: dict[str, Callable[[_Builder, _Piece, str], None]] = {
    "tag": _tag,
    "preset": _listed(_preset, "preset"),
    "style": _listed(_style, "style"),
    "palette": _listed(_palette, "palette"),
    "ratio": _listed(_ratio, "ratio"),
    "op": _listed(_op, "op"),
    "rating": _rating,
    "after": _after,
    "before": _before,
    "date": _date,
}


# ---- editing the text (the side bar toggles filters by rewriting it) ---------------------------


def format_term(name: str, value: str | int | None) -> str:
    """The text of one filter, e.g. ("op", "edit") → "op:edit", ("tag", "brand kit") → 'tag:"brand kit"'."""
    if value is None:
        text = "none"
    elif name in ("preset", "style", "palette"):
        text = str(value).lower()
    else:
        text = str(value)
    if not text or any(c.isspace() for c in text) or '"' in text or ("," in text and name == "tag"):
        text = '"' + text.replace('"', "") + '"'
    return f"{name}:{text}"


def remove_terms(text: str, predicate: Callable[[Term], bool]) -> str:
    """The text without the terms for which predicate is true (spaces tidied)."""
    search = parse_search(text)
    spans = [(t.start, t.end) for t in search.terms if predicate(t)]
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


def toggle_value(text: str, name: str, value: str | None, on: bool) -> str:
    """Add (on) or remove a filter value of field `name` ("op", "tag", "preset"…) in the text.

    Removing drops just that value from a term with several (op:edit,remix → op:remix).
    """
    search = parse_search(text)
    matches = [t for t in search.terms if t.field == name and not t.negated and _has(t, name, value)]
    if on:
        if matches:
            return text
        token = format_term(name, value)
        return f"{text.rstrip()} {token}".strip()
    if not matches:
        return text
    out, last = [], 0
    for t in matches:
        out.append(text[last : t.start])
        rest = [v for v in t.values if not _same(name, v, value)]
        if rest and name not in ("tag", "fav", "rating"):
            out.append(f"{name}:" + ",".join(format_term(name, v).split(":", 1)[1] for v in rest))
        last = t.end
    out.append(text[last:])
    return " ".join("".join(out).split())


def _same(name: str, a: str | None, b: str | None) -> bool:
    if name == "tag" and a is not None and b is not None:
        return a.casefold() == b.casefold()
    return a == b


def _has(t: Term, name: str, value: str | None) -> bool:
    return any(_same(name, v, value) for v in t.values)
