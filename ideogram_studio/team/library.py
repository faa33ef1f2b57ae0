"""The team library: browse, search, edit and fetch files of the shared library.

Qt-free and synchronous; call from a worker thread (the UI's TaskRunner). Every method raises
only TeamError subclasses, whose text is a sentence for the user. Reads remember the rows they
saw in the local cache, so the team section can show them while the team is unreachable
(`cached_page`).

Edits are optimistic: rows carry a `version`; an edit that names the version it started from
is refused with TeamConflictError (holding the current state) when someone else changed the
image first. Every change sends a notification on the `ideogram_team` channel in the same
transaction, so other studios refresh as soon as it commits (listener.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from ..gallery.metadata import LineageLink
from ..gallery.models import FacetValue
from ..gallery.query import ImageQuery, Sort
from ..gallery.search_syntax import Search, parse_search
from .blobs import BlobStore, S3BlobStore, blob_key
from .cache import TeamCache
from .config import TeamConfig, TeamCredentials
from .db import Db
from .errors import TeamConflictError, TeamError, TeamIntegrityError, TeamNotFoundError, TeamUnreachableError
from .models import ROW_COLUMNS, TeamCollection, TeamImage, TeamPage
from .schema import CHANNEL, ensure_schema
from .search import COLUMN_FACETS, FACETS, TeamCursor, keyset_after, order_by, where_search

THUMB_SIZE = 256
#: How many of the newest images a filtered search looks at first, then next (TeamLibrary._probe_recent).
PROBE_ROWS = (4000, 30000)
_MAX_NOTIFY_HASHES = 100  # a NOTIFY payload must stay under 8000 bytes
Conn = psycopg.Connection[dict[str, Any]]


@dataclass(frozen=True)
class TeamStatus:
    person: str
    can_publish: bool
    schema_version: int


def team_key(config: TeamConfig) -> str:
    """A short name for one team library (database URL + store + bucket): its folders never mix."""
    return hashlib.sha256(f"{config.db_url}\n{config.s3_endpoint}\n{config.bucket}".encode()).hexdigest()[:16]


def cache_folder(cache_root: Path, config: TeamConfig) -> Path:
    return cache_root / "team" / team_key(config)


def notify(conn: Conn, op: str, hashes: Sequence[str]) -> None:
    """Tell every listening studio what changed (delivered when the transaction commits)."""
    payload: dict[str, Any] = {"op": op, "count": len(hashes)}
    if len(hashes) <= _MAX_NOTIFY_HASHES:
        payload["hashes"] = list(hashes)
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(payload)))


class TeamLibrary:
    """One team library: the shared index (PostgreSQL), the files (S3) and the local cache."""

    def __init__(self, db: Db, blobs: BlobStore, cache: TeamCache) -> None:
        self.db = db
        self.blobs = blobs
        self.cache = cache
        self.status: TeamStatus | None = None

    @classmethod
    def from_config(cls, config: TeamConfig, credentials: TeamCredentials, *, cache_root: Path) -> TeamLibrary:
        config.validate()
        blobs = S3BlobStore(config.s3_endpoint, config.bucket, config.s3_access_key, credentials.s3_secret_key,
                            region=config.s3_region)
        return cls(Db(config.db_url, credentials), blobs, TeamCache(cache_folder(cache_root, config)))

    def connect(self) -> TeamStatus:
        """Check both servers and the credentials, create or migrate the schema, learn who we are."""
        self.blobs.check()
        with self.db.session() as conn:
            version = ensure_schema(conn)
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT current_user AS person, has_table_privilege('images', 'INSERT') AS can_publish"
            ).fetchone()
        assert row is not None
        self.status = TeamStatus(str(row["person"]), bool(row["can_publish"]), version)
        return self.status

    def close(self) -> None:
        self.db.close()
        self.blobs.close()
        self.cache.close()

    # ---- browsing --------------------------------------------------------------------------
    def page(self, search: Search | str = "", *, after: TeamCursor | None = None, limit: int = 200,
             sort: Sort | None = None, published_by: Sequence[str] = ()) -> TeamPage:
        """One page of the result, keyset-paged (offset for the prompt sort)."""
        found, nxt = self._fetch(ROW_COLUMNS, search, after, limit, sort, published_by)
        rows = [TeamImage.from_row(r) for r in found]
        self.cache.remember(rows)
        return TeamPage(rows, nxt)

    def id_page(self, search: Search | str = "", *, after: TeamCursor | None = None, limit: int = 1000,
                sort: Sort | None = None) -> tuple[list[int], TeamCursor | None]:
        """Only the ids of one page (what the grid holds), and where the next page starts."""
        found, nxt = self._fetch("images.id, images.created_at, images.rating", search, after, limit, sort, ())
        return [int(r["id"]) for r in found], nxt

    def _fetch(self, columns: str, search: Search | str, after: TeamCursor | None, limit: int, sort: Sort | None,
               published_by: Sequence[str]) -> tuple[list[dict[str, Any]], TeamCursor | None]:
        search = parse_search(search) if isinstance(search, str) else search
        sort = sort or search.query.sort
        clause, params = where_search(search, published_by=published_by)
        offset = 0
        keyset, keyset_params = "TRUE", []
        if after is not None:
            extra, extra_params = keyset_after(sort, after)
            if extra:
                keyset, keyset_params = extra, extra_params
            else:
                offset = after.offset
        order = order_by(sort)
        sql = f"SELECT {columns} FROM images WHERE {clause} AND {keyset} ORDER BY {order} LIMIT %s OFFSET %s"
        with self.db.session() as conn:
            probed = sort in (Sort.NEWEST, Sort.OLDEST) and clause != _plain_view(search)
            found = None
            if probed:
                found = self._probe_recent(conn, search, columns, clause, params, keyset, keyset_params, order,
                                           limit)
            if found is None:
                with conn.transaction():
                    if probed:  # matches are sparse: fetch them all and sort, never walk the date index
                        conn.execute("SET LOCAL enable_indexscan = off")
                    found = conn.execute(sql, [*params, *keyset_params, limit + 1, offset]).fetchall()
        more = len(found) > limit
        found = found[:limit]
        nxt = None
        if more and found:
            last = found[-1]
            nxt = TeamCursor(created_at=last["created_at"], id=last["id"], rating=last["rating"],
                             offset=offset + len(found))
        return found, nxt

    def _probe_recent(self, conn: Conn, search: Search, columns: str, clause: str, params: list[Any], keyset: str,
                      keyset_params: list[Any], order: str, limit: int) -> list[dict[str, Any]] | None:
        """A page of a filtered search from the newest (or oldest) few thousand images only.

        PostgreSQL cannot walk a GIN index in date order: for words that many images have it
        fetches and sorts every match (75+ ms at 100,000 rows), though one page sits in the
        first few thousand images by date. So look there first, through the date index; a
        full page found there is the right page. Rare words or narrow filters fill no page
        there, and then the planner's own plan is the fast one (few matches). None: not found.
        """
        view, view_params = where_search(Search(query=ImageQuery(trashed=search.query.trashed,
                                                                 inputs=search.query.inputs)))
        sql = (f"SELECT {columns} FROM (SELECT * FROM images WHERE {view} AND {keyset} ORDER BY {order} "
               f"LIMIT %s) AS images WHERE {clause} ORDER BY {order} LIMIT %s")
        first, second = PROBE_ROWS
        rows = conn.execute(sql, [*view_params, *keyset_params, first, *params, limit + 1]).fetchall()
        if len(rows) > limit:
            return rows
        # The share of matches among the newest images tells whether the wider window would fill
        # a page (with a margin); if not, matches are sparse and the planner's own plan wins.
        if len(rows) * second / first < 1.5 * (limit + 1):
            return None
        rows = conn.execute(sql, [*view_params, *keyset_params, second, *params, limit + 1]).fetchall()
        return rows if len(rows) > limit else None

    def cached_page(self, search: Search | str = "", *, limit: int = 5000) -> TeamPage:
        """What this computer remembers, newest first (for the team section while offline)."""
        search = parse_search(search) if isinstance(search, str) else search
        return TeamPage(self.cache.rows(limit=limit, trashed=bool(search.query.trashed), text=search.query.text),
                        None, cached=True)

    def count(self, search: Search | str = "") -> int:
        search = parse_search(search) if isinstance(search, str) else search
        clause, params = where_search(search)
        with self.db.session() as conn:
            row = conn.execute(f"SELECT count(*) AS n FROM images WHERE {clause}", params).fetchone()
        return int(row["n"]) if row else 0

    def facets(self, search: Search | str = "", fields: Sequence[str] = FACETS) -> dict[str, list[FacetValue]]:
        """Counts per value of each facet, each under the search minus its own filter."""
        search = parse_search(search) if isinstance(search, str) else search
        out: dict[str, list[FacetValue]] = {}
        with self.db.session() as conn:
            for facet in fields:
                clause, params = where_search(search.without(facet) if facet in (*COLUMN_FACETS, "rating", "tag")
                                              else search)
                if facet == "tag":
                    sql = (f"SELECT t AS value, count(*) AS n FROM images, unnest(images.tags) AS t WHERE {clause} "
                           "GROUP BY t ORDER BY n DESC, t")
                elif facet in (*COLUMN_FACETS, "rating", "published_by"):
                    sql = (f"SELECT images.{facet} AS value, count(*) AS n FROM images WHERE {clause} "
                           f"GROUP BY images.{facet} ORDER BY n DESC")
                else:
                    continue
                out[facet] = [FacetValue(r["value"], int(r["n"])) for r in conn.execute(sql, params).fetchall()]
        return out

    def get(self, digest: str) -> TeamImage | None:
        with self.db.session() as conn:
            row = conn.execute(f"SELECT {ROW_COLUMNS} FROM images WHERE hash = %s", (digest,)).fetchone()
        image = TeamImage.from_row(row) if row else None
        if image is not None:
            self.cache.remember([image])
        return image

    def rows_for(self, hashes: Sequence[str]) -> list[TeamImage]:
        with self.db.session() as conn:
            found = conn.execute(f"SELECT {ROW_COLUMNS} FROM images WHERE hash = ANY(%s)", (list(hashes),)).fetchall()
        by_hash = {r["hash"]: TeamImage.from_row(r) for r in found}
        return [by_hash[h] for h in hashes if h in by_hash]

    def rows_by_id(self, ids: Sequence[int]) -> list[TeamImage]:
        """Rows in the order of `ids`; ids no longer there are left out."""
        with self.db.session() as conn:
            found = conn.execute(f"SELECT {ROW_COLUMNS} FROM images WHERE images.id = ANY(%s)",
                                 (list(ids),)).fetchall()
        by_id = {int(r["id"]): TeamImage.from_row(r) for r in found}
        rows = [by_id[i] for i in ids if i in by_id]
        self.cache.remember(rows)
        return rows

    def id_of(self, digest: str) -> int | None:
        with self.db.session() as conn:
            row = conn.execute("SELECT id FROM images WHERE hash = %s", (digest,)).fetchone()
        return int(row["id"]) if row else None

    def position(self, search: Search | str, image_id: int, *, sort: Sort | None = None) -> int | None:
        """Where an image sits in the search's order (0 first); None when the search does not show it."""
        search = parse_search(search) if isinstance(search, str) else search
        clause, params = where_search(search)
        order = order_by(sort or search.query.sort)
        with self.db.session() as conn:
            row = conn.execute(
                f"SELECT n FROM (SELECT images.id, row_number() OVER (ORDER BY {order}) - 1 AS n FROM images "
                f"WHERE {clause}) AS ranked WHERE id = %s", [*params, image_id]).fetchone()
        return int(row["n"]) if row else None

    def date_counts(self, search: Search | str, today: date | None = None) -> tuple[int, int, int, int]:
        """Images of the search (minus its dates) made today, yesterday, this week, this month (local time)."""
        search = parse_search(search) if isinstance(search, str) else search
        today = today or date.today()
        clause, params = where_search(search.with_query(created_from=None, created_to=None))

        def start(day: date) -> datetime:
            return datetime(day.year, day.month, day.day).astimezone()

        t, y = start(today), start(today - timedelta(days=1))
        w, m = start(today - timedelta(days=today.weekday())), start(today.replace(day=1))
        with self.db.session() as conn:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE images.created_at >= %s) AS t, "
                "count(*) FILTER (WHERE images.created_at >= %s AND images.created_at < %s) AS y, "
                "count(*) FILTER (WHERE images.created_at >= %s) AS w, "
                "count(*) FILTER (WHERE images.created_at >= %s) AS m "
                f"FROM images WHERE {clause}", [t, y, t, w, m, *params]).fetchone()
        assert row is not None
        return int(row["t"]), int(row["y"]), int(row["w"]), int(row["m"])

    def trash_count(self) -> int:
        with self.db.session() as conn:
            row = conn.execute("SELECT count(*) AS n FROM images WHERE trashed_at IS NOT NULL AND NOT is_input"
                               ).fetchone()
        return int(row["n"]) if row else 0

    def tag_names(self) -> list[str]:
        """Every tag in use, A to Z (for completion)."""
        with self.db.session() as conn:
            rows = conn.execute("SELECT DISTINCT t FROM images, unnest(images.tags) AS t").fetchall()
        return sorted((r["t"] for r in rows), key=str.casefold)

    def metadata(self, digest: str) -> dict[str, Any]:
        with self.db.session() as conn:
            row = conn.execute("SELECT metadata FROM images WHERE hash = %s", (digest,)).fetchone()
        if row is None:
            raise TeamNotFoundError("That image is no longer in the team library.")
        return dict(row["metadata"])

    def ratings(self, digest: str) -> list[tuple[str, int]]:
        """Everyone's rating of one image: [(person, stars)], highest first."""
        with self.db.session() as conn:
            rows = conn.execute("SELECT person, rating FROM ratings WHERE hash = %s ORDER BY rating DESC, person",
                                (digest,)).fetchall()
        return [(r["person"], int(r["rating"])) for r in rows]

    def parents(self, digest: str) -> list[LineageLink]:
        with self.db.session() as conn:
            rows = conn.execute("SELECT parent_hash, child_hash, role, operation FROM lineage WHERE child_hash = %s "
                                "ORDER BY role, parent_hash", (digest,)).fetchall()
        return [LineageLink(r["parent_hash"], r["child_hash"], r["role"], r["operation"]) for r in rows]

    def children(self, digest: str) -> list[LineageLink]:
        with self.db.session() as conn:
            rows = conn.execute("SELECT parent_hash, child_hash, role, operation FROM lineage WHERE parent_hash = %s "
                                "ORDER BY child_hash", (digest,)).fetchall()
        return [LineageLink(r["parent_hash"], r["child_hash"], r["role"], r["operation"]) for r in rows]

    def present(self, hashes: Iterable[str]) -> set[str]:
        """Which of these hashes the team library has."""
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return set()
        with self.db.session() as conn:
            rows = conn.execute("SELECT hash FROM images WHERE hash = ANY(%s)", (wanted,)).fetchall()
        return {r["hash"] for r in rows}

    # ---- files -----------------------------------------------------------------------------
    def read_bytes(self, digest: str) -> bytes:
        """The image's bytes from the store, checked against their hash."""
        data = self.blobs.get(blob_key(digest))
        if hashlib.sha256(data).hexdigest() != digest:
            raise TeamIntegrityError(
                f"The team's copy of image {digest[:12]}… is damaged (its bytes do not match its hash); "
                "it was not used. Ask whoever published it to publish it again."
            )
        return data

    def thumbnail(self, image: TeamImage) -> Path:
        """A local file of the image's thumbnail (cached; fetched or made on first use)."""
        key = image.thumbnail or f"made/{image.hash}-{THUMB_SIZE}.jpg"
        cached = self.cache.cached_thumbnail(key)
        if cached is not None:
            return cached
        if image.thumbnail:
            return self.cache.store_thumbnail(key, self.blobs.get(image.thumbnail))
        return self.cache.store_thumbnail(key, make_thumbnail(self.read_bytes(image.hash))[0])

    def cached_thumbnail(self, image: TeamImage) -> Path | None:
        return self.cache.cached_thumbnail(image.thumbnail or f"made/{image.hash}-{THUMB_SIZE}.jpg")

    # ---- edits -----------------------------------------------------------------------------
    def set_tags(self, digest: str, tags: Iterable[str], *, expected_version: int) -> TeamImage:
        """Replace an image's tags, unless someone changed the image since `expected_version`."""
        clean = normalise_tags(tags)
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE images SET tags = %s, version = version + 1, changed_at = now(), changed_by = current_user "
                "WHERE hash = %s AND version = %s RETURNING hash", (clean, digest, expected_version)).fetchone()
            if row is None:
                raise self._conflict(conn, digest, "tags")
            notify(conn, "tags", [digest])
        return self._fresh(digest)

    def add_tags(self, hashes: Sequence[str], tags: Iterable[str], *,
                 expected: Mapping[str, int] | None = None) -> list[str]:
        """Add tags to images (merged, never overwriting); with `expected` versions, optimistic."""
        clean = normalise_tags(tags)
        merged = "ARRAY(SELECT DISTINCT ON (lower(t)) t FROM unnest(images.tags || %s::text[]) AS t ORDER BY lower(t))"
        return self._edit(hashes, f"tags = {merged}", [clean], "tags", expected)

    def remove_tags(self, hashes: Sequence[str], tags: Iterable[str], *,
                    expected: Mapping[str, int] | None = None) -> list[str]:
        folded = [t.lower() for t in normalise_tags(tags)]
        return self._edit(hashes, "tags = ARRAY(SELECT t FROM unnest(images.tags) AS t WHERE lower(t) <> ALL(%s))",
                          [folded], "tags", expected)

    def trash(self, hashes: Sequence[str], *, expected: Mapping[str, int] | None = None) -> list[str]:
        return self._edit(hashes, "trashed_at = now(), trashed_by = current_user", [], "trash", expected,
                          only="images.trashed_at IS NULL")

    def restore(self, hashes: Sequence[str], *, expected: Mapping[str, int] | None = None) -> list[str]:
        return self._edit(hashes, "trashed_at = NULL, trashed_by = NULL", [], "restore", expected,
                          only="images.trashed_at IS NOT NULL")

    def _edit(self, hashes: Sequence[str], assignment: str, params: list[Any], op: str,
              expected: Mapping[str, int] | None, *, only: str = "TRUE") -> list[str]:
        """One UPDATE over many images; the changed hashes. Conflicts (with `expected`) raise."""
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return []
        with self.db.transaction() as conn:
            if expected is None:
                rows = conn.execute(
                    f"UPDATE images SET {assignment}, version = version + 1, changed_at = now(), "
                    f"changed_by = current_user WHERE images.hash = ANY(%s) AND {only} RETURNING images.hash",
                    [*params, wanted]).fetchall()
            else:
                versions = [int(expected.get(h, -1)) for h in wanted]
                rows = conn.execute(
                    f"UPDATE images SET {assignment}, version = images.version + 1, changed_at = now(), "
                    f"changed_by = current_user FROM unnest(%s::text[], %s::int[]) AS want(hash, version) "
                    f"WHERE images.hash = want.hash AND images.version = want.version AND {only} "
                    "RETURNING images.hash", [*params, wanted, versions]).fetchall()
                changed = {r["hash"] for r in rows}
                missed = [h for h in wanted if h not in changed]
                if missed:
                    raise self._conflict(conn, missed[0], op, rolled_back=True)
            changed_list = [r["hash"] for r in rows]
            if changed_list:
                notify(conn, op, changed_list)
        return changed_list

    def _conflict(self, conn: Conn, digest: str, what: str, *, rolled_back: bool = False) -> TeamError:
        row = conn.execute(f"SELECT {ROW_COLUMNS} FROM images WHERE hash = %s", (digest,)).fetchone()
        if row is None:
            return TeamNotFoundError("That image is no longer in the team library.")
        current = TeamImage.from_row(row)
        self.cache.remember([current])
        tags = ", ".join(current.tags) or "no tags"
        state = f"it is in the trash ({tags})" if current.trashed_at else f"its tags are now: {tags}"
        return TeamConflictError(
            f"{current.changed_by} changed this image while you were editing, so your change ({what}) was not "
            f"saved{' for any of the selected images' if rolled_back else ''}: {state}. Look at the new state "
            "and make your change again.",
            current,
        )

    def _fresh(self, digest: str) -> TeamImage:
        image = self.get(digest)
        if image is None:
            raise TeamNotFoundError("That image is no longer in the team library.")
        return image

    def set_my_rating(self, hashes: Sequence[str], rating: int) -> None:
        """Your own rating (0 removes it); the team rating is recomputed in the same transaction."""
        if not 0 <= int(rating) <= 5:
            raise TeamError("A rating goes from 0 (none) to 5 stars.")
        wanted = sorted(set(hashes))  # sorted: row locks in one order, no deadlock between two raters
        if not wanted:
            return
        with self.db.transaction() as conn:
            conn.execute("SELECT hash FROM images WHERE hash = ANY(%s) ORDER BY hash FOR UPDATE", (wanted,))
            if rating:
                conn.execute(
                    "INSERT INTO ratings (hash, rating) SELECT h, %s FROM unnest(%s::text[]) AS h "
                    "WHERE EXISTS (SELECT 1 FROM images WHERE images.hash = h) "
                    "ON CONFLICT (hash, person) DO UPDATE SET rating = EXCLUDED.rating, rated_at = now()",
                    (int(rating), wanted))
            else:
                conn.execute("DELETE FROM ratings WHERE hash = ANY(%s) AND person = current_user", (wanted,))
            refresh_team_ratings(conn, wanted)
            notify(conn, "rating", wanted)

    # ---- collections -------------------------------------------------------------------------
    def collections(self) -> list[TeamCollection]:
        with self.db.session() as conn:
            rows = conn.execute(
                "SELECT c.id, c.name, c.created_by, c.version, count(ci.hash) AS n FROM collections c "
                "LEFT JOIN collection_images ci ON ci.collection_id = c.id GROUP BY c.id ORDER BY lower(c.name)"
            ).fetchall()
        return [TeamCollection(r["id"], r["name"], r["created_by"], r["version"], int(r["n"])) for r in rows]

    def create_collection(self, name: str) -> TeamCollection:
        clean = " ".join(name.split())
        if not clean:
            raise TeamError("A collection needs a name.")
        with self.db.transaction() as conn:
            row = conn.execute("INSERT INTO collections (name) VALUES (%s) ON CONFLICT (name) DO NOTHING "
                               "RETURNING id, name, created_by, version", (clean,)).fetchone()
            if row is None:
                raise TeamError(f"The team library already has a collection named “{clean}”.")
            notify(conn, "collections", [])
        return TeamCollection(row["id"], row["name"], row["created_by"], row["version"])

    def change_collection(self, collection_id: int, *, add: Sequence[str] = (), remove: Sequence[str] = (),
                          expected_version: int) -> TeamCollection:
        """Add and remove images, unless someone changed the collection since `expected_version`."""
        with self.db.transaction() as conn:
            row = conn.execute("UPDATE collections SET version = version + 1 WHERE id = %s AND version = %s "
                               "RETURNING id, name, created_by, version", (collection_id, expected_version)).fetchone()
            if row is None:
                current = next((c for c in self._collections(conn) if c.id == collection_id), None)
                if current is None:
                    raise TeamNotFoundError("That collection is no longer in the team library.")
                raise TeamConflictError(
                    f"Someone changed the collection “{current.name}” while you were editing (it now has "
                    f"{current.count} images), so your change was not saved. Look at it again and redo the change.",
                    current)
            if add:
                conn.execute("INSERT INTO collection_images (collection_id, hash) SELECT %s, h FROM unnest(%s::text[]) "
                             "AS h WHERE EXISTS (SELECT 1 FROM images WHERE images.hash = h) ON CONFLICT DO NOTHING",
                             (collection_id, list(add)))
            if remove:
                conn.execute("DELETE FROM collection_images WHERE collection_id = %s AND hash = ANY(%s)",
                             (collection_id, list(remove)))
            notify(conn, "collections", [*add, *remove])
            current = next(c for c in self._collections(conn) if c.id == collection_id)
        return current

    def _collections(self, conn: Conn) -> list[TeamCollection]:
        rows = conn.execute(
            "SELECT c.id, c.name, c.created_by, c.version, count(ci.hash) AS n FROM collections c "
            "LEFT JOIN collection_images ci ON ci.collection_id = c.id GROUP BY c.id").fetchall()
        return [TeamCollection(r["id"], r["name"], r["created_by"], r["version"], int(r["n"])) for r in rows]

    def reachable(self) -> bool:
        try:
            with self.db.session() as conn:
                conn.execute("SELECT 1")
        except TeamUnreachableError:
            return False
        return True


def _plain_view(search: Search) -> str:
    """The WHERE clause of the unfiltered view with the same trash/inputs choice."""
    return where_search(Search(query=ImageQuery(trashed=search.query.trashed, inputs=search.query.inputs)))[0]


def refresh_team_ratings(conn: Conn, hashes: Sequence[str]) -> None:
    conn.execute(
        "UPDATE images SET rating_mean = agg.mean, rating_count = agg.n, rating = COALESCE(round(agg.mean), 0) "
        "FROM (SELECT h AS hash, (SELECT avg(rating) FROM ratings WHERE ratings.hash = h) AS mean, "
        "(SELECT count(*) FROM ratings WHERE ratings.hash = h) AS n FROM unnest(%s::text[]) AS h) AS agg "
        "WHERE images.hash = agg.hash", (list(hashes),))


_SPACES = re.compile(r"\s+")


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Tags as the local library keeps them: spaces tidied, no empties, case-insensitively unique."""
    out: dict[str, str] = {}
    for tag in tags:
        clean = _SPACES.sub(" ", str(tag)).strip()
        if not clean:
            continue
        if len(clean) > 100:
            raise TeamError("A tag can be at most 100 characters long.")
        out.setdefault(clean.casefold(), clean)
    return sorted(out.values(), key=str.casefold)


def make_thumbnail(data: bytes, size: int = THUMB_SIZE) -> tuple[bytes, str]:
    """(bytes, extension) of a thumbnail made here (JPEG, or WebP for images with transparency)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as source:
        source.draft("RGB", (size, size))
        img = ImageOps.exif_transpose(source)
        img.thumbnail((size, size))
        out = io.BytesIO()
        if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
            img.convert("RGBA").save(out, "WEBP", quality=80)
            return out.getvalue(), ".webp"
        img.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), ".jpg"
