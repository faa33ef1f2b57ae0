"""The library's built-in smart collections: Last import, This batch, Picked.

Each is a search in the library's own syntax, like a saved search, so it is counted and shown by
the same read path (LibrarySource.count / the search field): no list is stored and nothing else
scans the library. Imports are tagged `import <time>` (Gallery.import_paths), a batch's results
`batch <name>` (batch/plan.py), and picks are the culling flag (`is:picked`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .importer import IMPORT_TAG_PREFIX
from .search_syntax import format_term

LAST_IMPORT = "Last import"
THIS_BATCH = "This batch"
PICKED = "Picked"
BATCH_TAG_PREFIX = "batch "


@dataclass(frozen=True)
class SmartCollection:
    name: str
    #: The search it runs; None while there is nothing to show (no import or batch yet).
    query: str | None
    #: What it holds, in words (its tooltip).
    hint: str


def built_in(tag_names: Iterable[str], batch_tag: str | None = None) -> list[SmartCollection]:
    """The built-ins for a library with these tags. `batch_tag`: the newest batch's tag as the
    studio knows it (its job journal; a batch just started counts 0 until its results land);
    without one, the batch tag that sorts last (a batch is named from its date and time unless
    the designer renames it)."""
    tags = list(tag_names)
    imports = [t for t in tags if t.startswith(IMPORT_TAG_PREFIX)]
    batches = [t for t in tags if t.startswith(BATCH_TAG_PREFIX)]
    last_import = max(imports) if imports else None
    batch = batch_tag or (max(batches) if batches else None)
    return [
        SmartCollection(
            LAST_IMPORT,
            format_term("tag", last_import) if last_import else None,
            f"What the last import brought ({last_import.removeprefix(IMPORT_TAG_PREFIX)})"
            if last_import else "Nothing imported yet",
        ),
        SmartCollection(
            THIS_BATCH,
            format_term("tag", batch) if batch else None,
            f"The results of batch “{batch.removeprefix(BATCH_TAG_PREFIX)}”" if batch else "No batch run yet",
        ),
        SmartCollection(PICKED, "is:picked", "Images picked while culling (P)"),
    ]
