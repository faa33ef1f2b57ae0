"""The image index: rows, search, facets, paging, tags, collections, favourites, trash, lineage.

Every annotation change is mirrored into the image's sidecar inside the same transaction (if
the sidecar cannot be written, the change is rolled back), so a rebuild from files gives back
the same tags, ratings, favourites, collections and trash.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ._util import dumps, from_iso, now_iso, to_iso
from .annotations import SidecarStore
from .db import Database
from .errors import GalleryError, NotFoundError
from .metadata import LineageLink
from .models import FLAG_NONE, FLAG_PICK, FLAG_REJECT, Collection, FacetValue, ImageRef, ImageRow, NewImage, Page
from .query import FACETS, Cursor, ImageQuery, where
from .reads import (
    ROW_COLUMNS,
    chunks,
    count_where,
    facet_counts,
    fetch_rows,
    marks,
    query_filter,
    row_from_sql,
    select_ids,
    select_page,
)

_SIDE_COLUMNS = (
    "images.id AS id, hash, format, source, is_input, favourite, rating, flag, trashed_at, tags_text, "
    "image_metadata.metadata AS metadata, added_at"
)
_SIDE_FROM = "images LEFT JOIN image_metadata ON image_metadata.image_id = images.id"
_chunks = chunks
_marks = marks


def normalise_tag(name: str) -> str:
    tag = " ".join(str(name).split())
    if not tag:
        raise GalleryError("A tag cannot be empty.")
    if len(tag) > 100:
        raise GalleryError("A tag can be at most 100 characters long.")
    return tag


class GalleryIndex:
    """Data access over the index database. Thread-safe (the Database serialises access)."""

    def __init__(self, db: Database, sidecars: SidecarStore | None) -> None:
        self.db = db
        self.sidecars = sidecars

    # ---- inserting -------------------------------------------------------------------------------
    def insert(self, conn: sqlite3.Connection, new: NewImage) -> tuple[int, bool]:
        """Insert one image (inside a transaction); returns (id, inserted?). Existing rows stay."""
        f = new.fields
        is_input = f.is_input if new.is_input is None else new.is_input
        tags = sorted({normalise_tag(t) for t in new.tags}, key=str.casefold)
        cur = conn.execute(
            "INSERT OR IGNORE INTO images (hash, path, width, height, format, bytes, created_at, added_at, "
            "operation, source, prompt, prompt_used, negative_prompt, style_type, style_preset, palette, "
            "aspect_ratio, resolution, seed, rendering_speed, job_id, is_input, favourite, rating, trashed_at, "
            "tags_text, flag) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                new.hash, new.path, new.width, new.height, new.format, new.bytes, f.created_at, new.added_at,
                f.operation, f.source, f.prompt, f.prompt_used, f.negative_prompt, f.style_type, f.style_preset,
                f.palette, f.aspect_ratio, f.resolution, f.seed, f.rendering_speed, f.job_id, int(is_input),
                int(new.favourite), max(0, min(5, int(new.rating))), new.trashed_at, "\n".join(tags),
                max(-1, min(1, int(new.flag))),
            ),
        )
        if cur.rowcount == 0:
            row = conn.execute("SELECT id FROM images WHERE hash = ?", (new.hash,)).fetchone()
            return int(row[0]), False
        image_id = int(cur.lastrowid or 0)
        conn.execute("INSERT INTO image_metadata (image_id, metadata) VALUES (?, ?)", (image_id, dumps(new.metadata)))
        conn.executemany(
            "INSERT OR IGNORE INTO lineage (child_hash, parent_hash, role, operation) VALUES (?,?,?,?)",
            [(new.hash, parent, role, f.operation) for parent, role in f.lineage],
        )
        for tag in tags:
            conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
            conn.execute(
                "INSERT OR IGNORE INTO image_tags (image_id, tag_id) SELECT ?, id FROM tags WHERE name = ?",
                (image_id, tag),
            )
        for uid in new.collection_uids:
            conn.execute(
                "INSERT OR IGNORE INTO collection_images (collection_id, image_id) "
                "SELECT id, ? FROM collections WHERE uid = ?",
                (image_id, uid),
            )
        return image_id, True

    def insert_many(self, rows: Iterable[NewImage]) -> int:
        """Insert in one transaction (rebuilds, benchmarks); returns how many were new."""
        n = 0
        with self.db.transaction() as conn:
            for new in rows:
                n += self.insert(conn, new)[1]
        return n

    def set_is_input(self, ref: ImageRef, value: bool) -> None:
        with self.db.transaction() as conn:
            ids = self._ids(conn, [ref])
            conn.execute(f"UPDATE images SET is_input = ? WHERE id IN ({_marks(len(ids))})", (int(value), *ids))
            self._sync_sidecars(conn, ids)

    # ---- pending writes (crash recovery) ------------------------------------------------------------
    def add_pending(self, digest: str, path: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO pending_writes (hash, path, started_at) VALUES (?,?,?)",
                (digest, path, now_iso()),
            )

    def remove_pending(self, conn: sqlite3.Connection, digest: str) -> None:
        conn.execute("DELETE FROM pending_writes WHERE hash = ?", (digest,))

    def pending(self) -> list[tuple[str, str]]:
        with self.db.read() as conn:
            return [(r[0], r[1]) for r in conn.execute("SELECT hash, path FROM pending_writes").fetchall()]

    def drop_pending(self, digest: str) -> None:
        with self.db.transaction() as conn:
            self.remove_pending(conn, digest)

    # ---- looking up ------------------------------------------------------------------------------------
    def _ids(self, conn: sqlite3.Connection, refs: Iterable[ImageRef]) -> list[int]:
        """Index ids for ids or hashes; unknown ones are skipped. Order kept, duplicates dropped."""
        refs = list(refs)
        ints = [r for r in refs if isinstance(r, int)]
        strs = [r for r in refs if isinstance(r, str)]
        found: dict[ImageRef, int] = {}
        for chunk in _chunks(ints):
            for (i,) in conn.execute(f"SELECT id FROM images WHERE id IN ({_marks(len(chunk))})", chunk):
                found[i] = i
        for schunk in _chunks(strs):
            for i, h in conn.execute(f"SELECT id, hash FROM images WHERE hash IN ({_marks(len(schunk))})", schunk):
                found[h] = i
        return list(dict.fromkeys(found[r] for r in refs if r in found))

    def resolve(self, refs: Iterable[ImageRef]) -> list[tuple[int, str]]:
        """(id, hash) of each known image among refs."""
        with self.db.read() as conn:
            ids = self._ids(conn, refs)
            out: dict[int, str] = {}
            for chunk in _chunks(ids):
                q = f"SELECT id, hash FROM images WHERE id IN ({_marks(len(chunk))})"
                out.update(conn.execute(q, chunk).fetchall())
        return [(i, out[i]) for i in ids]

    def get(self, ref: ImageRef) -> ImageRow | None:
        col = "id" if isinstance(ref, int) else "hash"
        with self.db.read() as conn:
            r = conn.execute(f"SELECT {ROW_COLUMNS} FROM images WHERE {col} = ?", (ref,)).fetchone()
        return row_from_sql(r) if r else None

    def require(self, ref: ImageRef) -> ImageRow:
        row = self.get(ref)
        if row is None:
            raise NotFoundError(f"No image {ref!r} in the gallery.")
        return row

    def metadata(self, ref: ImageRef) -> dict[str, Any]:
        col = "id" if isinstance(ref, int) else "hash"
        with self.db.read() as conn:
            r = conn.execute(
                f"SELECT coalesce(m.metadata, '{{}}') FROM images LEFT JOIN image_metadata m ON m.image_id = images.id "
                f"WHERE images.{col} = ?",
                (ref,),
            ).fetchone()
        if r is None:
            raise NotFoundError(f"No image {ref!r} in the gallery.")
        obj = json.loads(r[0])
        return obj if isinstance(obj, dict) else {}

    def all_hashes(self) -> dict[str, str]:
        """hash → relative path of every indexed image."""
        with self.db.read() as conn:
            return dict(conn.execute("SELECT hash, path FROM images").fetchall())

    # ---- querying ----------------------------------------------------------------------------------------
    def ids(self, query: ImageQuery | None = None) -> list[int]:
        """The ids of the whole result, in order (the grid model holds these)."""
        query = query or ImageQuery()
        clause, params = where(query)
        with self.db.read() as conn:
            return select_ids(conn, clause, params, query.sort)

    def count(self, query: ImageQuery | None = None) -> int:
        clause, params = where(query or ImageQuery())
        with self.db.read() as conn:
            return count_where(conn, clause, params)

    def rows_for(self, ids: Sequence[int]) -> list[ImageRow]:
        """Rows for these ids, in the same order; ids no longer in the index are left out."""
        with self.db.read() as conn:
            return fetch_rows(conn, ids)

    def page(self, query: ImageQuery | None = None, *, after: Cursor | None = None, limit: int = 200) -> Page:
        """One page: keyset paging (created_at, id) for date sorts, offset for the others."""
        query = query or ImageQuery()
        clause, params = where(query)
        with self.db.read() as conn:
            return select_page(conn, clause, params, query.sort, after=after, limit=limit)

    def facets(
        self, query: ImageQuery | None = None, fields: Sequence[str] = FACETS
    ) -> dict[str, list[FacetValue]]:
        """Counts per value of each field, under the query minus that field's own filter
        (reads.facet_counts)."""
        with self.db.read() as conn:
            return facet_counts(conn, query_filter(query or ImageQuery()), fields)

    # ---- annotations -------------------------------------------------------------------------------------
    def _annotation_update(self, refs: Iterable[ImageRef], sql: str, params: Sequence[Any]) -> list[int]:
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            for chunk in _chunks(ids):
                conn.execute(f"{sql} WHERE id IN ({_marks(len(chunk))})", (*params, *chunk))
            self._sync_sidecars(conn, ids)
        return ids

    def set_favourite(self, refs: Iterable[ImageRef], value: bool) -> None:
        self._annotation_update(refs, "UPDATE images SET favourite = ?", (int(value),))

    def set_rating(self, refs: Iterable[ImageRef], rating: int) -> None:
        if not 0 <= int(rating) <= 5:
            raise GalleryError(f"A rating is 0 to 5 stars (got {rating}).")
        self._annotation_update(refs, "UPDATE images SET rating = ?", (int(rating),))

    def set_flag(self, refs: Iterable[ImageRef], flag: int) -> None:
        if int(flag) not in (FLAG_PICK, FLAG_NONE, FLAG_REJECT):
            raise GalleryError(f"A flag is picked (1), rejected (-1) or none (0) (got {flag}).")
        self._annotation_update(refs, "UPDATE images SET flag = ?", (int(flag),))

    def trash(self, refs: Iterable[ImageRef], when: datetime | None = None) -> list[int]:
        stamp = to_iso(when) if when else now_iso()
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            changed: list[int] = []
            for chunk in _chunks(ids):
                q = (
                    "UPDATE images SET trashed_at = ? WHERE trashed_at IS NULL "
                    f"AND id IN ({_marks(len(chunk))}) RETURNING id"
                )
                changed.extend(r[0] for r in conn.execute(q, (stamp, *chunk)).fetchall())
            self._sync_sidecars(conn, changed)
        return changed

    def restore(self, refs: Iterable[ImageRef]) -> list[int]:
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            changed: list[int] = []
            for chunk in _chunks(ids):
                q = (
                    "UPDATE images SET trashed_at = NULL WHERE trashed_at IS NOT NULL "
                    f"AND id IN ({_marks(len(chunk))}) RETURNING id"
                )
                changed.extend(r[0] for r in conn.execute(q, chunk).fetchall())
            self._sync_sidecars(conn, changed)
        return changed

    def trashed_before(self, when: datetime | None) -> list[int]:
        with self.db.read() as conn:
            if when is None:
                rows = conn.execute("SELECT id FROM images WHERE trashed_at IS NOT NULL").fetchall()
            else:
                rows = conn.execute(
                    "SELECT id FROM images WHERE trashed_at IS NOT NULL AND trashed_at < ?", (to_iso(when),)
                ).fetchall()
        return [r[0] for r in rows]

    # ---- tags ------------------------------------------------------------------------------------------------
    def _refresh_tags_text(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        for chunk in _chunks(ids):
            conn.execute(
                "UPDATE images SET tags_text = coalesce((SELECT group_concat(name, char(10)) FROM ("
                "SELECT tags.name AS name FROM image_tags JOIN tags ON tags.id = image_tags.tag_id "
                "WHERE image_tags.image_id = images.id ORDER BY tags.name COLLATE NOCASE)), '') "
                f"WHERE id IN ({_marks(len(chunk))})",
                chunk,
            )

    def _add_tags(self, conn: sqlite3.Connection, ids: Sequence[int], names: Sequence[str]) -> None:
        for name in names:
            conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
            (tag_id,) = conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
            conn.executemany(
                "INSERT OR IGNORE INTO image_tags (image_id, tag_id) VALUES (?, ?)", [(i, tag_id) for i in ids]
            )

    def add_tags(self, refs: Iterable[ImageRef], tags: Iterable[str]) -> None:
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            self._add_tags(conn, ids, names)
            self._refresh_tags_text(conn, ids)
            self._sync_sidecars(conn, ids)

    def remove_tags(self, refs: Iterable[ImageRef], tags: Iterable[str]) -> None:
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            for name in names:
                row = conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
                if row is None:
                    continue
                for chunk in _chunks(ids):
                    conn.execute(
                        f"DELETE FROM image_tags WHERE tag_id = ? AND image_id IN ({_marks(len(chunk))})",
                        (row[0], *chunk),
                    )
            conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM image_tags)")
            self._refresh_tags_text(conn, ids)
            self._sync_sidecars(conn, ids)

    def set_tags(self, ref: ImageRef, tags: Iterable[str]) -> None:
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        with self.db.transaction() as conn:
            ids = self._ids(conn, [ref])
            if not ids:
                raise NotFoundError(f"No image {ref!r} in the gallery.")
            conn.execute("DELETE FROM image_tags WHERE image_id = ?", (ids[0],))
            self._add_tags(conn, ids, names)
            conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM image_tags)")
            self._refresh_tags_text(conn, ids)
            self._sync_sidecars(conn, ids)

    def all_tags(self) -> list[FacetValue]:
        """Every tag with the number of images (trash excluded) that carry it."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT tags.name, count(images.id) FROM tags LEFT JOIN image_tags ON image_tags.tag_id = tags.id "
                "LEFT JOIN images ON images.id = image_tags.image_id AND images.trashed_at IS NULL "
                "GROUP BY tags.id ORDER BY tags.name COLLATE NOCASE"
            ).fetchall()
        return [FacetValue(n, c) for n, c in rows]

    # ---- collections -------------------------------------------------------------------------------------
    def _collection(self, conn: sqlite3.Connection, cid: int) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM collections WHERE id = ?", (cid,)).fetchone()
        if row is None:
            raise NotFoundError(f"No collection {cid} in the gallery.")
        return row  # type: ignore[no-any-return]

    def _save_collection_tree(self, conn: sqlite3.Connection) -> None:
        if self.sidecars is None:
            return
        rows = conn.execute(
            "SELECT c.uid, c.name, p.uid AS parent, c.created_at FROM collections c "
            "LEFT JOIN collections p ON p.id = c.parent_id ORDER BY c.id"
        ).fetchall()
        self.sidecars.write_collections(
            [{"uid": r["uid"], "name": r["name"], "parent": r["parent"], "created_at": r["created_at"]} for r in rows]
        )

    def create_collection(self, name: str, parent_id: int | None = None, *, uid: str | None = None) -> Collection:
        name = " ".join(name.split())
        if not name:
            raise GalleryError("A collection needs a name.")
        with self.db.transaction() as conn:
            if parent_id is not None:
                self._collection(conn, parent_id)
            stamp = now_iso()
            cur = conn.execute(
                "INSERT INTO collections (uid, name, parent_id, created_at) VALUES (?,?,?,?)",
                (uid or uuid.uuid4().hex, name, parent_id, stamp),
            )
            cid = int(cur.lastrowid or 0)
            self._save_collection_tree(conn)
            row = self._collection(conn, cid)
        return Collection(cid, row["uid"], name, parent_id, from_iso(stamp), 0)

    def rename_collection(self, cid: int, name: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise GalleryError("A collection needs a name.")
        with self.db.transaction() as conn:
            self._collection(conn, cid)
            conn.execute("UPDATE collections SET name = ? WHERE id = ?", (name, cid))
            self._save_collection_tree(conn)

    def move_collection(self, cid: int, parent_id: int | None) -> None:
        with self.db.transaction() as conn:
            self._collection(conn, cid)
            if parent_id is not None:
                self._collection(conn, parent_id)
                below = {cid, *self._descendants(conn, cid)}
                if parent_id in below:
                    raise GalleryError("A collection cannot be moved into itself or one of its sub-collections.")
            conn.execute("UPDATE collections SET parent_id = ? WHERE id = ?", (parent_id, cid))
            self._save_collection_tree(conn)

    def _descendants(self, conn: sqlite3.Connection, cid: int) -> list[int]:
        rows = conn.execute(
            "WITH RECURSIVE sub(id) AS (SELECT id FROM collections WHERE parent_id = ? "
            "UNION SELECT c.id FROM collections c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub",
            (cid,),
        ).fetchall()
        return [r[0] for r in rows]

    def delete_collection(self, cid: int) -> None:
        """Delete a collection and its sub-collections; the images themselves stay."""
        with self.db.transaction() as conn:
            self._collection(conn, cid)
            all_ids = [cid, *self._descendants(conn, cid)]
            members = [
                r[0]
                for r in conn.execute(
                    f"SELECT DISTINCT image_id FROM collection_images WHERE collection_id IN ({_marks(len(all_ids))})",
                    all_ids,
                ).fetchall()
            ]
            conn.execute("DELETE FROM collections WHERE id = ?", (cid,))  # cascades
            self._save_collection_tree(conn)
            self._sync_sidecars(conn, members)

    def collections(self) -> list[Collection]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT c.id, c.uid, c.name, c.parent_id, c.created_at, "
                "(SELECT count(*) FROM collection_images ci JOIN images i ON i.id = ci.image_id "
                " WHERE ci.collection_id = c.id AND i.trashed_at IS NULL) AS n "
                "FROM collections c ORDER BY c.parent_id IS NOT NULL, c.parent_id, c.name COLLATE NOCASE"
            ).fetchall()
        return [Collection(r[0], r[1], r[2], r[3], from_iso(r[4]), r[5]) for r in rows]

    def add_to_collection(self, cid: int, refs: Iterable[ImageRef]) -> None:
        with self.db.transaction() as conn:
            self._collection(conn, cid)
            ids = self._ids(conn, refs)
            conn.executemany(
                "INSERT OR IGNORE INTO collection_images (collection_id, image_id) VALUES (?, ?)",
                [(cid, i) for i in ids],
            )
            self._sync_sidecars(conn, ids)

    def remove_from_collection(self, cid: int, refs: Iterable[ImageRef]) -> None:
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            for chunk in _chunks(ids):
                conn.execute(
                    f"DELETE FROM collection_images WHERE collection_id = ? AND image_id IN ({_marks(len(chunk))})",
                    (cid, *chunk),
                )
            self._sync_sidecars(conn, ids)

    def collections_of(self, ref: ImageRef) -> list[int]:
        with self.db.read() as conn:
            ids = self._ids(conn, [ref])
            if not ids:
                return []
            q = "SELECT collection_id FROM collection_images WHERE image_id = ? ORDER BY collection_id"
            return [r[0] for r in conn.execute(q, (ids[0],)).fetchall()]

    def restore_collection_tree(self, items: Sequence[dict[str, Any]]) -> None:
        """Recreate collections from collections.json (rebuild), parents before children."""
        with self.db.transaction() as conn:
            by_uid = {c["uid"]: c for c in items}
            done: dict[str, int] = {}

            def make(uid: str, seen: frozenset[str] = frozenset()) -> int | None:
                if uid in done:
                    return done[uid]
                item = by_uid.get(uid)
                if item is None or uid in seen:
                    return None
                parent = item.get("parent")
                pid = make(parent, seen | {uid}) if isinstance(parent, str) else None
                cur = conn.execute(
                    "INSERT OR IGNORE INTO collections (uid, name, parent_id, created_at) VALUES (?,?,?,?)",
                    (uid, str(item.get("name") or "Collection"), pid, item.get("created_at") or now_iso()),
                )
                done[uid] = int(cur.lastrowid or 0)
                return done[uid]

            for uid in by_uid:
                make(uid)

    # ---- lineage -----------------------------------------------------------------------------------------
    def parents(self, ref: ImageRef) -> list[LineageLink]:
        digest = ref if isinstance(ref, str) else self.require(ref).hash
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT parent_hash, child_hash, role, operation FROM lineage WHERE child_hash = ? "
                "ORDER BY role, parent_hash",
                (digest,),
            ).fetchall()
        return [LineageLink(*r) for r in rows]

    def children(self, ref: ImageRef) -> list[LineageLink]:
        digest = ref if isinstance(ref, str) else self.require(ref).hash
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT l.parent_hash, l.child_hash, l.role, l.operation FROM lineage l "
                "JOIN images i ON i.hash = l.child_hash WHERE l.parent_hash = ? ORDER BY i.created_at, i.id",
                (digest,),
            ).fetchall()
        return [LineageLink(*r) for r in rows]

    # ---- deleting ------------------------------------------------------------------------------------------
    def delete_rows(
        self, refs: Iterable[ImageRef], *, keep_if_referenced: bool = True
    ) -> tuple[list[tuple[str, str]], list[str]]:
        """Remove rows. Returns ([(hash, path) removed], [hash kept because another image uses it]).

        A kept image is still the source, mask or reference of an image that stays: it becomes
        a hidden input (out of the trash) so that image can still be re-run.
        """
        with self.db.transaction() as conn:
            ids = self._ids(conn, refs)
            rows: list[tuple[int, str, str]] = []
            for chunk in _chunks(ids):
                q = f"SELECT id, hash, path FROM images WHERE id IN ({_marks(len(chunk))})"
                rows.extend(conn.execute(q, chunk).fetchall())
            going = {h for _, h, _ in rows}
            removed: list[tuple[str, str]] = []
            kept: list[str] = []
            kept_ids: list[int] = []
            for image_id, digest, path in rows:
                if keep_if_referenced:
                    users = [
                        r[0]
                        for r in conn.execute(
                            "SELECT child_hash FROM lineage WHERE parent_hash = ? AND child_hash != ?", (digest, digest)
                        ).fetchall()
                    ]
                    if any(u not in going for u in users):
                        kept.append(digest)
                        kept_ids.append(image_id)
                        continue
                removed.append((digest, path))
                conn.execute("DELETE FROM images WHERE id = ?", (image_id,))
            for chunk in _chunks(kept_ids):
                conn.execute(
                    f"UPDATE images SET is_input = 1, trashed_at = NULL WHERE id IN ({_marks(len(chunk))})", chunk
                )
            self._sync_sidecars(conn, kept_ids)
        return removed, kept

    # ---- sidecars --------------------------------------------------------------------------------------------
    def _sync_sidecars(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        """Rewrite the sidecars of these images from the index (inside the caller's transaction)."""
        if self.sidecars is None or not ids:
            return
        for chunk in _chunks(list(ids)):
            rows = conn.execute(
                f"SELECT {_SIDE_COLUMNS} FROM {_SIDE_FROM} WHERE images.id IN ({_marks(len(chunk))})",
                chunk,
            ).fetchall()
            uids: dict[int, list[str]] = {}
            q = (
                "SELECT ci.image_id, c.uid FROM collection_images ci JOIN collections c ON c.id = ci.collection_id "
                f"WHERE ci.image_id IN ({_marks(len(chunk))}) ORDER BY c.uid"
            )
            for image_id, uid in conn.execute(q, chunk).fetchall():
                uids.setdefault(image_id, []).append(uid)
            self.sidecars.write_many({r["hash"]: sidecar_doc(r, uids.get(r["id"], [])) for r in rows})

    def sidecar_doc_for(self, conn: sqlite3.Connection, image_id: int) -> dict[str, Any] | None:
        r = conn.execute(
            f"SELECT {_SIDE_COLUMNS} FROM {_SIDE_FROM} WHERE images.id = ?",
            (image_id,),
        ).fetchone()
        if r is None:
            return None
        uids = [
            u[0]
            for u in conn.execute(
                "SELECT c.uid FROM collection_images ci JOIN collections c ON c.id = ci.collection_id "
                "WHERE ci.image_id = ? ORDER BY c.uid",
                (image_id,),
            ).fetchall()
        ]
        return sidecar_doc(r, uids)


def embeds_metadata(fmt: str, source: str | None) -> bool:
    """True when the image file carries our metadata itself (a PNG result)."""
    return fmt == "PNG" and source == "ideogram-studio"


def sidecar_doc(r: sqlite3.Row, collection_uids: list[str]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "added_at": r["added_at"],
        "is_input": bool(r["is_input"]),
        "favourite": bool(r["favourite"]),
        "rating": r["rating"],
        "flag": r["flag"],
        "trashed_at": r["trashed_at"],
        "tags": r["tags_text"].split("\n") if r["tags_text"] else [],
        "collections": collection_uids,
    }
    if not embeds_metadata(r["format"], r["source"]):
        doc["metadata"] = json.loads(r["metadata"] or "{}")
    return doc


def needs_sidecar(doc: dict[str, Any]) -> bool:
    """A sidecar is needed when it says something the image file does not."""
    return bool(
        "metadata" in doc
        or doc.get("is_input")
        or doc.get("favourite")
        or doc.get("rating")
        or doc.get("flag")
        or doc.get("trashed_at")
        or doc.get("tags")
        or doc.get("collections")
    )
