"""Long prefixes at a million rows, for the date-ordered pages read by windows (reads.py).

The full-text index keeps prefix indexes for a word's first 1, 2 and 3 letters (schema v4). A
longer prefix — the word being typed, "castle*" — makes FTS5 merge the lists of every word that
starts so into one list over the whole library before it answers, even for a few rows: ~60 ms
for a word in a quarter of a million prompts, ~0.35 s for one in every prompt, and a page reads
several windows. So a window asks the index for the prefix's first 3 letters (an indexed list,
sought by id range: ~1 ms) and keeps the images whose text has a word starting with the whole
prefix, folded as the index's tokenizer folds it (unicode61 with remove_diacritics 2: lower
case, no diacritics; letters and digits make words, everything else separates them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

#: The longest prefix the full-text index keeps a list for (schema.py, v4: prefix = '1 2 3').
INDEXED_PREFIX = 3
#: The columns the full-text index reads (schema.py: images_fts).
FTS_COLUMNS = ("prompt", "prompt_used", "negative_prompt", "tags_text")
#: The last word of a MATCH expression built by query.fts_query, as a prefix: "word"*.
_LAST_PREFIX = re.compile(r'"([^"\s]*)"\*$')


def fold(text: str) -> str:
    """Lower case without diacritics, as the index's tokenizer folds words."""
    text = text.lower()
    if text.isascii():
        return text
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


@dataclass(frozen=True)
class LongPrefix:
    """A MATCH expression whose last word is a prefix longer than the index keeps lists for."""

    #: The same expression with the prefix cut to INDEXED_PREFIX letters: finds a superset.
    narrowed: str
    #: The whole prefix, folded.
    prefix: str

    def pattern(self) -> re.Pattern[str]:
        """A word of folded text that starts with the prefix (not preceded by a letter or digit)."""
        return re.compile(r"(?<![^\W_])" + re.escape(self.prefix))

    def keeps(self, texts: Iterable[str | None], pattern: re.Pattern[str]) -> bool:
        """Whether one image's indexed texts have a word starting with the prefix."""
        return any(t and pattern.search(fold(t)) for t in texts)


def long_prefix(match: str) -> LongPrefix | None:
    """The expression's long last prefix, or None (no prefix, or one the index keeps a list for)."""
    m = _LAST_PREFIX.search(match)
    if m is None:
        return None
    word = fold(m.group(1))
    if len(word) <= INDEXED_PREFIX:
        return None
    return LongPrefix(f'{match[: m.start()]}"{word[:INDEXED_PREFIX]}"*', word)
