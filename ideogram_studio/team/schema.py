"""The shared schema as forward migrations, applied by the app on first connect.

`team_meta` holds `schema_version` (how many migrations ran) and `usable_from` (the oldest
schema version whose app can still work with this one: a migration that only adds columns
leaves it alone, one that changes meaning raises it). An app meets three cases:

- the same version: go on;
- older (or no tables yet): migrate, under an advisory lock so two first connects do not race,
  each migration in the same transaction as the version bump;
- newer: go on if `usable_from` <= this app's version, else say to update the app.

Never edit a migration that shipped: append one.
"""

from __future__ import annotations

from typing import Any

import psycopg
import psycopg.errors

from .errors import TeamSchemaError

CHANNEL = "ideogram_team"
#: Roles the deployment guide creates; migrations grant them what they need when they exist.
DESIGNER_ROLE = "ideogram_designer"
READER_ROLE = "ideogram_reader"

_V1 = """
CREATE TABLE team_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE images (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash            text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    format          text NOT NULL,
    width           integer NOT NULL,
    height          integer NOT NULL,
    bytes           bigint NOT NULL,
    thumbnail       text,                       -- object key of its thumbnail (NULL: none)
    created_at      timestamptz NOT NULL,       -- when the image was made
    published_at    timestamptz NOT NULL DEFAULT now(),
    published_by    text NOT NULL DEFAULT current_user,
    operation       text,
    source          text,
    prompt          text,
    prompt_used     text,
    negative_prompt text,
    style_type      text,
    style_preset    text,
    palette         text,
    aspect_ratio    text,
    resolution      text,
    seed            bigint,
    rendering_speed text,
    job_id          text,
    is_input        boolean NOT NULL DEFAULT false,
    metadata        jsonb NOT NULL,             -- the request, response and lineage, as in the file
    tags            text[] NOT NULL DEFAULT '{}',
    tags_folded     text[] NOT NULL DEFAULT '{}',  -- lower-case copy (trigger) for tag: filters
    rating          smallint NOT NULL DEFAULT 0,   -- the team rating: rounded mean of everyone's
    rating_mean     real,
    rating_count    integer NOT NULL DEFAULT 0,
    trashed_at      timestamptz,
    trashed_by      text,
    version         integer NOT NULL DEFAULT 1,    -- bumped by every edit: optimistic checks
    changed_at      timestamptz NOT NULL DEFAULT now(),
    changed_by      text NOT NULL DEFAULT current_user,
    search          tsvector NOT NULL DEFAULT ''::tsvector
);
-- The default view (not trashed, not an input), newest first: the first page is an index scan.
CREATE INDEX images_visible ON images (created_at DESC, id DESC) WHERE trashed_at IS NULL AND NOT is_input;
CREATE INDEX images_created ON images (created_at DESC, id DESC);
CREATE INDEX images_search ON images USING gin (search);
CREATE INDEX images_tags ON images USING gin (tags_folded);
CREATE INDEX images_operation ON images (operation);

CREATE FUNCTION images_derived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tags_folded := ARRAY(SELECT lower(t) FROM unnest(NEW.tags) AS t);
    NEW.search := to_tsvector('simple', concat_ws(' ', NEW.prompt, NEW.prompt_used, NEW.negative_prompt,
                                                  array_to_string(NEW.tags, ' ')));
    RETURN NEW;
END $$;
CREATE TRIGGER images_derived BEFORE INSERT OR UPDATE OF prompt, prompt_used, negative_prompt, tags ON images
    FOR EACH ROW EXECUTE FUNCTION images_derived();

CREATE TABLE lineage (
    child_hash  text NOT NULL REFERENCES images (hash) ON DELETE CASCADE,
    parent_hash text NOT NULL,                  -- may be absent from the team library
    role        text NOT NULL,
    operation   text,
    PRIMARY KEY (child_hash, parent_hash, role)
);
CREATE INDEX lineage_parent ON lineage (parent_hash);

CREATE TABLE ratings (
    hash     text NOT NULL REFERENCES images (hash) ON DELETE CASCADE,
    person   text NOT NULL DEFAULT current_user,
    rating   smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    rated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hash, person)
);
-- Everyone sees every rating; each person writes only their own.
ALTER TABLE ratings ENABLE ROW LEVEL SECURITY;
CREATE POLICY ratings_read ON ratings FOR SELECT USING (true);
CREATE POLICY ratings_own ON ratings FOR ALL USING (person = current_user) WITH CHECK (person = current_user);

CREATE TABLE collections (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_by text NOT NULL DEFAULT current_user,
    created_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1
);
CREATE TABLE collection_images (
    collection_id bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    hash          text NOT NULL REFERENCES images (hash) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, hash)
);
CREATE INDEX collection_images_hash ON collection_images (hash);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ideogram_designer') THEN
        GRANT SELECT ON team_meta TO ideogram_designer;
        GRANT SELECT, INSERT, UPDATE ON images, lineage, collections TO ideogram_designer;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ratings, collection_images TO ideogram_designer;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ideogram_reader') THEN
        GRANT SELECT ON team_meta, images, lineage, ratings, collections, collection_images TO ideogram_reader;
    END IF;
END $$;
"""

#: MIGRATIONS[i] takes the schema from version i to i + 1.
MIGRATIONS: list[str] = [_V1]
SCHEMA_VERSION = len(MIGRATIONS)
#: The oldest schema version this app's code can work with (kept in team_meta as usable_from).
USABLE_FROM = 1
_LOCK_KEY = 0x1DE09A  # pg_advisory_xact_lock key: one migrator at a time


def read_version(conn: psycopg.Connection[dict[str, Any]]) -> tuple[int, int]:
    """(schema_version, usable_from) of the database; (0, 0) before the first migration."""
    row = conn.execute("SELECT to_regclass('team_meta') IS NOT NULL AS present").fetchone()
    if row is None or not row["present"]:
        return 0, 0
    rows = conn.execute("SELECT key, value FROM team_meta WHERE key IN ('schema_version', 'usable_from')").fetchall()
    meta = {r["key"]: int(r["value"]) for r in rows}
    return meta.get("schema_version", 0), meta.get("usable_from", 0)


def ensure_schema(conn: psycopg.Connection[dict[str, Any]], *, known: int = SCHEMA_VERSION) -> int:
    """Create or migrate the shared schema; return its version. TeamSchemaError when unusable.

    `conn` must be in autocommit mode (each migration is its own transaction).
    """
    version, usable_from = read_version(conn)
    if version == known:
        return version
    if version > known:
        _check_newer(version, usable_from, known)
        return version
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            version, usable_from = read_version(conn)  # someone may have migrated while we waited
            if version > known:
                _check_newer(version, usable_from, known)
                return version
            for step in range(version, known):
                conn.execute(MIGRATIONS[step])
            conn.execute(
                "INSERT INTO team_meta (key, value) VALUES ('schema_version', %s), ('usable_from', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (str(known), str(USABLE_FROM)),
            )
    except psycopg.errors.InsufficientPrivilege:
        what = "is not set up yet" if version == 0 else f"needs an update (schema {version} → {known})"
        raise TeamSchemaError(
            f"The team library {what}, and your account may not change its tables. Ask your studio "
            "administrator to open it once with the owner account (see docs/team-library.md)."
        ) from None
    return known


def _check_newer(version: int, usable_from: int, known: int) -> None:
    if usable_from > known:
        raise TeamSchemaError(
            f"The team library was set up by a newer Ideogram Studio (schema {version}; this app knows up to "
            f"{known}). Update Ideogram Studio to use it; your local library works as before."
        )

