"""Prompt variables: `a {red|blue|green} {mug|poster}` expands to every combination.

Grammar (written out, as the search syntax is)::

    template    := ( literal | group )*
    group       := "{" choice ( "|" choice )* "}"   alternatives written inline
                 | "{" name "}"                      a named list (`{colour}`), given by the caller
    literal     := any text; "{{" and "}}" stand for a literal brace
    choice      := text without "{", "}" or "|" (may be empty: `{big |}` is "big " or "")

A group with one choice and no "|" is a list name; a name that is not a known list is an error at
its position, so a typo never sends the literal `{colour}` to the service. Expansion is the
Cartesian product in reading order (the first group varies slowest), which keeps a 2×2 batch in
the order a designer reads it: red mug, red poster, blue mug, blue poster.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: More combinations than this is almost certainly a mistake (and a large bill): refuse early.
MAX_COMBINATIONS = 10_000


class TemplateError(ValueError):
    """A template that cannot be expanded; `position` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Group:
    """One `{…}` in the template: its label (the list name, or `#n` for the n-th group) and choices."""

    label: str
    choices: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Expansion:
    """One prompt the template makes, with the choice taken for each group (label -> value)."""

    text: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Template:
    parts: tuple[str | Group, ...]

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(p for p in self.parts if isinstance(p, Group))

    def count(self) -> int:
        return math.prod(len(g.choices) for g in self.groups)

    def expand(self) -> list[Expansion]:
        if self.count() > MAX_COMBINATIONS:
            first = self.groups[0].position if self.groups else 0
            raise TemplateError(
                f"expands to {self.count():,} prompts; a batch takes at most {MAX_COMBINATIONS:,}", first
            )
        groups = self.groups
        out: list[Expansion] = []
        for combo in itertools.product(*(g.choices for g in groups)):
            picks = iter(combo)
            text = "".join(p if isinstance(p, str) else next(picks) for p in self.parts)
            out.append(Expansion(text, tuple((g.label, v) for g, v in zip(groups, combo, strict=True))))
        return out


def parse_template(text: str, lists: Mapping[str, Sequence[str]] | None = None) -> Template:
    """Parse `text`; raise TemplateError naming the position of the first problem."""
    lists = lists or {}
    parts: list[str | Group] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            literal.append("{")
            i += 2
            continue
        if ch == "}" and text.startswith("}}", i):
            literal.append("}")
            i += 2
            continue
        if ch == "}":
            raise TemplateError("this '}' closes no '{' (write '}}' for a literal brace)", i)
        if ch != "{":
            literal.append(ch)
            i += 1
            continue
        end = _closing_brace(text, i)
        body = text[i + 1 : end]
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(_group(body, i, sum(isinstance(p, Group) for p in parts) + 1, lists))
        i = end + 1
    if literal:
        parts.append("".join(literal))
    return Template(tuple(parts))


def expand_prompt(text: str, lists: Mapping[str, Sequence[str]] | None = None) -> list[Expansion]:
    return parse_template(text, lists).expand()


def _closing_brace(text: str, start: int) -> int:
    for j in range(start + 1, len(text)):
        if text[j] == "}":
            return j
        if text[j] == "{":
            raise TemplateError("a '{' inside another '{…}': groups cannot be nested", j)
    raise TemplateError("this '{' is never closed (write '{{' for a literal brace)", start)


def _group(body: str, position: int, ordinal: int, lists: Mapping[str, Sequence[str]]) -> Group:
    if "|" in body:
        return Group(f"#{ordinal}", tuple(body.split("|")), position)
    name = body.strip()
    if not name:
        raise TemplateError("an empty '{}': give choices like {red|blue} or a list name", position)
    if name not in lists:
        known = ", ".join(sorted(lists)) or "none yet"
        raise TemplateError(f"there is no list called '{name}' (lists: {known})", position)
    values = tuple(lists[name])
    if not values:
        raise TemplateError(f"the list '{name}' is empty", position)
    return Group(name, values, position)
