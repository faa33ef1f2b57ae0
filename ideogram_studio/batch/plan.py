"""A batch, planned before anything is sent: every request it will make, how many images, what it
costs, and the tags each result will carry (its batch and row) so the library can show the batch
as a grid and export it with a naming template.

Sources of rows: a prompt template with variables (variables.py) applied to a base request, or a
sheet (sheet.py). Seeds are fixed, random or incrementing; every row can be repeated N times.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..api.limits import MAX_SEED
from ..api.requests import ApiRequest
from ..api.v2_requests import V2Request
from .sheet import SheetPlan
from .variables import Expansion

#: Tag keys stored with every job of a batch (JobQueue.submit(tags=...)), read back by the library.
TAG_BATCH = "batch"
TAG_ROW = "batch_row"
TAG_VALUES = "batch_values"
#: A batch plans on the form's request: v1 Ideogram 3.0, or a v2 model's (4.x).
AnyRequest = ApiRequest | V2Request


class SeedMode(StrEnum):
    KEEP = "keep"  # whatever each row says (random when it says nothing)
    FIXED = "fixed"  # every request the same seed: isolates what the variables change
    RANDOM = "random"  # a new seed per request, written down so each result can be reproduced
    INCREMENTING = "incrementing"  # start, start+1, …: a reproducible sweep


@dataclass(frozen=True)
class SeedPolicy:
    mode: SeedMode = SeedMode.KEEP
    start: int = 0

    def seeds(self, count: int, rng: random.Random | None = None) -> list[int | None]:
        if self.mode is SeedMode.KEEP:
            return [None] * count
        if self.mode is SeedMode.FIXED:
            return [self.start] * count
        if self.mode is SeedMode.INCREMENTING:
            return [(self.start + i) % (MAX_SEED + 1) for i in range(count)]
        rng = rng or random.Random()
        return [rng.randint(0, MAX_SEED) for _ in range(count)]


@dataclass(frozen=True)
class BatchItem:
    request: AnyRequest
    row: int  # 1-based row of the batch (a sheet row number, or the combination's number)
    copy: int  # 1-based repeat number within the row
    values: tuple[tuple[str, str], ...] = ()

    def tags(self, batch: str) -> dict[str, Any]:
        return {TAG_BATCH: batch, TAG_ROW: self.row, TAG_VALUES: dict(self.values)}


@dataclass(frozen=True)
class BatchPlan:
    name: str
    items: tuple[BatchItem, ...]

    @property
    def request_count(self) -> int:
        return len(self.items)

    @property
    def image_count(self) -> int:
        return sum(item.request.image_count() for item in self.items)

    def total_cost(self, price: Callable[[AnyRequest], Decimal | None]) -> tuple[Decimal, int]:
        """The sum of the prices `price` knows, and how many requests it could not price."""
        total, unknown = Decimal(0), 0
        cache: dict[str, Decimal | None] = {}
        for item in self.items:
            key = repr(sorted(item.request.fields_json().items()))
            if key not in cache:
                cache[key] = price(item.request)
            cost = cache[key]
            if cost is None:
                unknown += 1
            else:
                total += cost
        return total, unknown


def from_template(
    name: str,
    base: AnyRequest,
    expansions: Sequence[Expansion],
    *,
    seeds: SeedPolicy = SeedPolicy(),
    repeat: int = 1,
    rng: random.Random | None = None,
) -> BatchPlan:
    """One request per expansion (× repeat), the base request with its prompt replaced."""
    rows = [(i + 1, _replaced(base, prompt=e.text), e.values) for i, e in enumerate(expansions)]
    return _plan(name, rows, [repeat] * len(rows), seeds, rng)


def from_sheet(
    name: str, sheet: SheetPlan, *, seeds: SeedPolicy = SeedPolicy(), repeat: int = 1, rng: random.Random | None = None
) -> BatchPlan:
    """The valid rows of a sheet (problems are the caller's to show and confirm first)."""
    rows = [(r.row, r.request, ()) for r in sheet.rows]
    return _plan(name, rows, [r.repeat * repeat for r in sheet.rows], seeds, rng)


def _plan(
    name: str,
    rows: Sequence[tuple[int, AnyRequest, tuple[tuple[str, str], ...]]],
    repeats: Sequence[int],
    seeds: SeedPolicy,
    rng: random.Random | None,
) -> BatchPlan:
    total = sum(repeats)
    seed_list = iter(seeds.seeds(total, rng))
    items: list[BatchItem] = []
    for (row, request, values), times in zip(rows, repeats, strict=True):
        for copy in range(1, times + 1):
            seed = next(seed_list)
            req = request
            if seed is not None and _has_field(req, "seed"):
                req = _replaced(req, seed=seed)
            items.append(BatchItem(req, row, copy, values))
    return BatchPlan(name, tuple(items))


def _has_field(request: ApiRequest | V2Request, name: str) -> bool:
    return request.spec.has(name) if isinstance(request, V2Request) else hasattr(request, name)


def _replaced(request: AnyRequest, **changes: Any) -> AnyRequest:
    """The request with these fields changed. A v2 request (a 4.x form's) keeps its model; a prompt
    change leaves a structured prompt alone (the batch's variables are the sentence's)."""
    if isinstance(request, V2Request):
        values = dict(request.values)
        for name, value in changes.items():
            if name == "prompt" and "prompt" not in values:
                continue
            values[name] = value
        return V2Request(request.operation, request.model, values, request.uploads)
    return dataclasses.replace(request, **changes)


_FIELD = re.compile(r"\{(\w+)(?::(\d{1,3}))?\}")
_UNSAFE = re.compile(r"[^\w\-. ]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}

#: The fields an export's naming template can use, with what each says (for the dialog's hint).
EXPORT_FIELDS = {
    "batch": "the batch's name",
    "row": "the row in its batch",
    "seed": "the seed",
    "date": "the day it was made (2026-12-07)",
    "time": "the time it was made (0915)",
    "prompt": "the prompt ({prompt:20}: its first 20 characters)",
    "n": "1, 2, 3… in the order exported",
    "width": "width in pixels",
    "height": "height in pixels",
    "preset": "the style preset",
    "rating": "the rating",
}


def export_name(template: str, fields: dict[str, Any], ext: str) -> str:
    """A file name from a template such as `{batch}-{row}-{seed}` or `{date}-{prompt:20}`: a field
    with `:N` is cut to N characters, unknown or empty fields stay empty, and the result is one safe
    name (no folders, no separators a file system refuses)."""
    def value(match: re.Match[str]) -> str:
        v = fields.get(match.group(1))
        text = "" if v is None else " ".join(str(v).split())
        return text[: int(match.group(2))].rstrip() if match.group(2) else text

    name = _FIELD.sub(value, template)
    name = _UNSAFE.sub("_", name).strip(" ._-") or "image"
    name = name[:150].rstrip(" .")
    if name.split(".", 1)[0].upper() in _WINDOWS_RESERVED:  # CON.png is refused on Windows
        name += "_"
    return name + ext


def template_problem(template: str) -> str | None:
    """What is wrong with a naming template, in words; None when it can be used."""
    if not template.strip():
        return "Write a name template, for example {batch}-{row}-{seed}."
    if template.count("{") != template.count("}"):
        return "A { in the name template has no matching } (or the other way round)."
    unknown = sorted({m.group(1) for m in _FIELD.finditer(template)} - set(EXPORT_FIELDS))
    if unknown:
        known = ", ".join("{" + f + "}" for f in EXPORT_FIELDS)
        names = ", ".join("{" + u + "}" for u in unknown)
        return f"Unknown field {names} in the name template; the fields are {known}."
    leftover = _FIELD.sub("", template)
    if "{" in leftover or "}" in leftover:
        return "A field in the name template is not written as {name} or {name:20}."
    return None


def batch_tag(name: str) -> str:
    """The library tag every result of a batch carries, so `tag:"batch …"` shows the batch."""
    return " ".join(f"batch {name}".split())[:100]


def batch_name(now: str, prompt: str) -> str:
    """A readable default batch name: the date and the prompt's first words."""
    words = re.sub(r"[^\w ]+", " ", prompt).split()[:4]
    return f"{now} {' '.join(words)}".strip()
