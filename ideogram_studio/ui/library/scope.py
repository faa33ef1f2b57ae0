"""Where the library grid looks: every image, one collection, or the trash."""

from __future__ import annotations

from dataclasses import dataclass

SCOPE_ALL = "all"
SCOPE_TRASH = "trash"
SCOPE_COLLECTION = "collection"


@dataclass(frozen=True)
class Scope:
    kind: str = SCOPE_ALL
    #: The collection's id when `kind` is SCOPE_COLLECTION.
    collection: int | None = None

    @property
    def in_trash(self) -> bool:
        return self.kind == SCOPE_TRASH
