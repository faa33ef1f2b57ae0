"""The index schema as a list of forward migrations; `PRAGMA user_version` = how many ran.

Never edit a migration that shipped: append a new one. Each runs in one transaction with the
version bump, so a crash leaves the database at the previous version, never half-migrated.
"""

from __future__ import annotations

_V1 = """
CREATE TABLE images (
    id              INTEGER PRIMARY KEY,
    hash            TEXT NOT NULL UNIQUE,
    path            TEXT NOT NULL,                  -- relative to the data folder
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    format          TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    created_at      TEXT NOT NULL,                  -- when the image was made (UTC, fixed-width ISO)
    added_at        TEXT NOT NULL,                  -- when it entered this library
    operation       TEXT,                           -- generate, edit, ..., input, import
    source          TEXT,                           -- ideogram-studio, input, a1111, comfyui, ...
    prompt          TEXT,
    prompt_used     TEXT,                           -- the prompt the service used, when it differs
    negative_prompt TEXT,
    style_type      TEXT,
    style_preset    TEXT,
    palette         TEXT,                           -- preset name, or 'custom'
    aspect_ratio    TEXT,
    resolution      TEXT,
    seed            INTEGER,
    rendering_speed TEXT,
    job_id          TEXT,
    is_input        INTEGER NOT NULL DEFAULT 0,
    favourite       INTEGER NOT NULL DEFAULT 0,
    rating          INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    trashed_at      TEXT,
    tags_text       TEXT NOT NULL DEFAULT ''        -- tag names (one per line), denormalised for FTS
);
CREATE INDEX images_created ON images (created_at, id);
-- The default view (not trashed, not an input) in date order, read from the index alone.
CREATE INDEX images_visible ON images (created_at, id) WHERE trashed_at IS NULL AND is_input = 0;

-- Full metadata JSON, kept apart so scans and filters over images stay on narrow rows
-- (a ComfyUI workflow can weigh 100 kB).
CREATE TABLE image_metadata (
    image_id INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
    metadata TEXT NOT NULL
);
CREATE INDEX images_operation ON images (operation);
CREATE INDEX images_style_preset ON images (style_preset);
CREATE INDEX images_trashed ON images (trashed_at) WHERE trashed_at IS NOT NULL;
CREATE INDEX images_job ON images (job_id) WHERE job_id IS NOT NULL;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE image_tags (
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (image_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX image_tags_tag ON image_tags (tag_id, image_id);

CREATE TABLE collections (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,                -- stable across index rebuilds
    name       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES collections (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX collections_parent ON collections (parent_id);
CREATE TABLE collection_images (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    image_id      INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, image_id)
) WITHOUT ROWID;
CREATE INDEX collection_images_image ON collection_images (image_id);

CREATE TABLE lineage (
    child_hash  TEXT NOT NULL REFERENCES images (hash) ON DELETE CASCADE,
    parent_hash TEXT NOT NULL,                      -- may be absent from this library
    role        TEXT NOT NULL,                      -- the request's file field: image, mask, ...
    operation   TEXT,
    PRIMARY KEY (child_hash, parent_hash, role)
) WITHOUT ROWID;
CREATE INDEX lineage_parent ON lineage (parent_hash);

CREATE TABLE jobs (
    id             TEXT PRIMARY KEY,
    operation      TEXT NOT NULL,
    state          TEXT NOT NULL,
    request        TEXT NOT NULL DEFAULT '{}',
    input_hashes   TEXT NOT NULL DEFAULT '{}',      -- {form field: [hash, ...]}
    result_hashes  TEXT NOT NULL DEFAULT '[]',
    error          TEXT,
    estimated_cost TEXT,                            -- Decimal as text, USD
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    started_at     TEXT,
    finished_at    TEXT
);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_created ON jobs (created_at);

-- A file being written: recorded before the write, removed when the image row lands.
-- On open, each leftover entry is finished (file intact: indexed) or dropped (no file).
CREATE TABLE pending_writes (
    hash       TEXT PRIMARY KEY,
    path       TEXT NOT NULL,
    started_at TEXT NOT NULL
);

CREATE VIRTUAL TABLE images_fts USING fts5 (
    prompt, prompt_used, negative_prompt, tags_text,
    content = 'images', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
    INSERT INTO images_fts (rowid, prompt, prompt_used, negative_prompt, tags_text)
    VALUES (new.id, new.prompt, new.prompt_used, new.negative_prompt, new.tags_text);
END;
CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, prompt_used, negative_prompt, tags_text)
    VALUES ('delete', old.id, old.prompt, old.prompt_used, old.negative_prompt, old.tags_text);
END;
CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, prompt_used, negative_prompt, tags_text ON images
BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, prompt_used, negative_prompt, tags_text)
    VALUES ('delete', old.id, old.prompt, old.prompt_used, old.negative_prompt, old.tags_text);
    INSERT INTO images_fts (rowid, prompt, prompt_used, negative_prompt, tags_text)
    VALUES (new.id, new.prompt, new.prompt_used, new.negative_prompt, new.tags_text);
END;
"""

# v2: what the queue knows of a job beyond its request — whether the service answered (so the
# estimate counts as spent), whether it may have billed without answering, images withheld as
# unsafe, UI labels, and the raw response (to resume downloads while the links live).
_V2 = """
ALTER TABLE jobs ADD COLUMN billed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
"""

# v3: the culling flag, as in Lightroom: 1 picked, -1 rejected, 0 unflagged (P / X / U).
_V3 = """
ALTER TABLE images ADD COLUMN flag INTEGER NOT NULL DEFAULT 0 CHECK (flag BETWEEN -1 AND 1);
"""

# v4: search as you type on very common words. The full-text index also keeps every word's first
# 1, 2 and 3 letters (FTS5 prefix indexes), so "c*" or "cas*" reads one list instead of merging
# the lists of every word that starts so (at a million prompts: ~0.5 s → a few ms). Rebuilt from
# the images table (about a minute at a million rows, once).
_V4 = """
DROP TABLE images_fts;
CREATE VIRTUAL TABLE images_fts USING fts5 (
    prompt, prompt_used, negative_prompt, tags_text,
    content = 'images', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO images_fts (images_fts) VALUES ('rebuild');
"""

# v5: filters at a million rows. The default view's date index also holds the columns the
# library filters on (favourite, rating, flag, the facets), so a date-ordered page with a filter
# ("ocean fav", "rating:>=3", "op:edit") and the side bar's counts read the index alone instead of
# one table row per image (~2.5 µs each: ~0.2 s per window of 8,192 favourites). trashed_at and
# is_input too, though the index's WHERE fixes them: SQLite before 3.45 reads the table for a column
# named in the query unless the index holds it. About 60 bytes more per image; built once (seconds
# at a million rows).
_V5 = """
DROP INDEX images_visible;
CREATE INDEX images_visible ON images (created_at, id, favourite, rating, flag, operation, aspect_ratio,
    style_preset, style_type, palette, rendering_speed, source, trashed_at, is_input)
    WHERE trashed_at IS NULL AND is_input = 0;
"""

#: MIGRATIONS[i] takes the schema from version i to i + 1.
MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V5]
SCHEMA_VERSION = len(MIGRATIONS)
