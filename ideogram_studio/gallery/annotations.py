"""Sidecars: what the image file itself cannot carry, so the index can be rebuilt from files.

`annotations/ab/<hash>.json`, written atomically whenever it changes, holds:

- `tags`, `favourite`, `rating`, `collections` (collection uids), `trashed_at`, `is_input`:
  the user's annotations. Writing them into the image would rewrite (and re-hash) the image on
  every star click, so they live beside it instead;
- `metadata`: for every image that does not embed our iTXt chunk (inputs and imports, which are
  kept byte-exact, and non-PNG results), the metadata the index knows about it.

A PNG result with no annotations has no sidecar: its file says everything. The collection tree
itself (names, nesting, uids) is `collections.json` in the data folder, rewritten on change.
Temp files are made in `annotations/.staging/` and renamed into place; whatever a crash leaves
there is swept when the gallery opens.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._util import dumps
from .files import atomic_write, atomic_write_many, is_temp_name

SIDE_VERSION = 1
_SMALL_BATCH = 8


class SidecarStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / "annotations"
        #: Where sidecar temp files are made (same file system, renamed into place): one folder
        #: to sweep after a crash, instead of every shard.
        self.staging = self.dir / ".staging"
        self.collections_file = root / "collections.json"

    def path(self, digest: str) -> Path:
        return self.dir / digest[:2] / f"{digest}.json"

    def read(self, digest: str) -> dict[str, Any] | None:
        """The sidecar of an image, or None if absent or unreadable."""
        try:
            obj = json.loads(self.path(digest).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return obj if isinstance(obj, dict) else None

    def write(self, digest: str, doc: dict[str, Any]) -> None:
        body = {"v": SIDE_VERSION, "hash": digest, **doc}
        atomic_write(self.path(digest), dumps(body).encode("utf-8"), action="save the image's annotations",
                     staging=self.staging, root=self.root)

    def write_many(self, docs: dict[str, dict[str, Any]]) -> None:
        """Write several sidecars; a big batch shares one flush to disk instead of one per file."""
        if len(docs) <= _SMALL_BATCH:
            for digest, doc in docs.items():
                self.write(digest, doc)
            return
        bodies = {
            self.path(d): dumps({"v": SIDE_VERSION, "hash": d, **doc}).encode("utf-8") for d, doc in docs.items()
        }
        atomic_write_many(bodies, action="save the images' annotations", staging=self.staging, root=self.root)

    def remove(self, digest: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(digest))

    def iter_hashes(self) -> Iterable[str]:
        try:
            shards = list(os.scandir(self.dir))
        except OSError:
            return
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False) or shard.name.startswith("."):
                continue
            for entry in os.scandir(shard.path):
                if entry.name.endswith(".json") and not is_temp_name(entry.name):
                    yield entry.name[:-5]

    def shard_dirs(self) -> list[Path]:
        try:
            return [Path(e.path) for e in os.scandir(self.dir) if e.is_dir(follow_symlinks=False)
                    and not e.name.startswith(".")]
        except OSError:
            return []

    # ---- the collection tree ---------------------------------------------------------------------
    def read_collections(self) -> list[dict[str, Any]]:
        try:
            obj = json.loads(self.collections_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        items = obj.get("collections") if isinstance(obj, dict) else None
        return [c for c in items or [] if isinstance(c, dict) and isinstance(c.get("uid"), str)]

    def write_collections(self, items: list[dict[str, Any]]) -> None:
        body = {"v": SIDE_VERSION, "collections": items}
        atomic_write(self.collections_file, dumps(body).encode("utf-8"), action="save the collections",
                     staging=self.staging, root=self.root)
