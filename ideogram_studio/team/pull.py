"""Copying team images into the local library, with their inputs, so Reuse settings, Send to and
Edit work on them as on local ones.

The bytes are stored exactly as published (a result's request is inside its PNG; an input's or
an import's metadata goes to its sidecar as usual), so the local hash is the team hash and
lineage links the two libraries by hash. Downloads are checked against their hash first: a
damaged copy is refused and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..gallery import Gallery
from ..gallery.errors import GalleryError
from ..gallery.ingest import read_embedded, store_bytes
from .errors import TeamError, TeamUnreachableError
from .library import TeamLibrary
from .models import PullReport

Progress = Callable[[int, int], None]


def pull(team: TeamLibrary, gallery: Gallery, hashes: Sequence[str], *, with_inputs: bool = True,
         progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> PullReport:
    """Copy images (and, first, their inputs in the team library) into `gallery`."""
    report = PullReport()
    order: dict[str, None] = {}
    for digest in hashes:
        _with_inputs(team, digest, order, with_inputs, depth=0)
    total = len(order)
    for n, digest in enumerate(order, 1):
        if cancel is not None and cancel():
            break
        if gallery.get(digest) is not None:
            report.already.append(digest)
        else:
            try:
                _pull_one(team, gallery, digest)
                report.pulled.append(digest)
            except TeamUnreachableError:
                raise
            except (TeamError, GalleryError) as exc:
                report.failed[digest] = str(exc)
        if progress is not None:
            progress(n, total)
    return report


def _with_inputs(team: TeamLibrary, digest: str, order: dict[str, None], with_inputs: bool, depth: int) -> None:
    if digest in order or depth > 50:
        return
    if with_inputs:
        parents = [link.parent for link in team.parents(digest)]
        present = team.present(parents)
        for parent in (p for p in parents if p in present):  # in lineage order: a stable pull order
            _with_inputs(team, parent, order, with_inputs, depth + 1)
    order[digest] = None


def _pull_one(team: TeamLibrary, gallery: Gallery, digest: str) -> None:
    image = team.get(digest)
    if image is None:
        raise TeamError("It is no longer in the team library.")
    data = team.read_bytes(digest)  # checked against its hash
    metadata = team.metadata(digest)
    embedded = read_embedded(data) is not None
    stored = store_bytes(gallery.library, data, metadata=metadata, embed=False, in_file=embedded,
                         name=f"Team image {digest[:12]}…")
    if stored.hash != digest:  # cannot happen with embed=False; guards the lineage promise
        raise TeamError(f"The copy of {digest[:12]}… was stored under another hash ({stored.hash[:12]}…).")
    if image.tags:
        gallery.add_tags([digest], image.tags)
    if image.my_rating:
        gallery.set_rating([digest], image.my_rating)
