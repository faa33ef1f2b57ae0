"""Bad input and faults: wrong credentials, missing bucket, newer schema, read-only accounts, damaged
bytes, the database or the store going away mid-publish. Always a clear sentence, nothing lost
locally, nothing half-published (no row without its blob)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import (
    Outbox,
    Publisher,
    TeamAuthError,
    TeamBucketError,
    TeamCredentials,
    TeamIntegrityError,
    TeamLibrary,
    TeamSchemaError,
    TeamUnreachableError,
    blob_key,
    pull,
)
from ideogram_studio.team.blobs import S3BlobStore
from ideogram_studio.team.db import Db
from ideogram_studio.team.schema import SCHEMA_VERSION

from .helpers import TeamEnv, add_results
from .servers import S3_KEYS, free_port, start_seaweed


def _rows_and_blobs(env: TeamEnv, bucket: str | None = None, endpoint_client=None) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    with env.servers.pg.superuser(env.database) as conn:
        rows = {r[0] for r in conn.execute("SELECT hash FROM images").fetchall()}
    client = endpoint_client or env.servers.s3.client()
    listing = client.list_objects_v2(Bucket=bucket or env.bucket, Prefix="blobs/").get("Contents", [])
    return rows, {o["Key"].removeprefix("blobs/") for o in listing}


def test_wrong_database_password_is_said_without_the_password(team_env: TeamEnv) -> None:
    lib = TeamLibrary.from_config(team_env.config("alice"), TeamCredentials("not-her-password", "designer-secret"),
                                  cache_root=team_env.cache_root)
    team_env.opened.append(lib)
    with pytest.raises(TeamAuthError) as info:
        lib.connect()
    assert "refused the user name or password" in str(info.value)
    assert "not-her-password" not in str(info.value)


def test_wrong_s3_secret_and_missing_bucket_are_told_apart(team_env: TeamEnv) -> None:
    config = team_env.config("alice")
    wrong = S3BlobStore(config.s3_endpoint, config.bucket, config.s3_access_key, "wrong-secret")
    with pytest.raises(TeamAuthError, match="access key or secret key"):
        wrong.check()
    missing = S3BlobStore(config.s3_endpoint, "no-such-bucket", config.s3_access_key, "designer-secret")
    with pytest.raises(TeamBucketError, match="“no-such-bucket” does not exist"):
        missing.check()


def test_unreachable_servers_are_said_and_the_cache_is_shown(team_env: TeamEnv, gallery: Gallery,
                                                             tmp_path: Path) -> None:
    hashes = add_results(gallery, 3)
    alice = team_env.library("alice")
    Publisher(gallery, alice, Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    assert len(alice.page("").rows) == 3  # seen once: remembered
    dead = f"postgresql://alice@127.0.0.1:{free_port()}/x?sslmode=disable"
    offline = TeamLibrary(Db(dead, team_env.credentials("alice")), alice.blobs, alice.cache)
    with pytest.raises(TeamUnreachableError, match="cannot be reached"):
        offline.page("")
    cached = offline.cached_page("")
    assert cached.cached and {r.hash for r in cached.rows} == set(hashes)
    assert {r.hash for r in offline.cached_page("number 1").rows} == {hashes[1]}
    store = S3BlobStore(f"http://127.0.0.1:{free_port()}", "x", "k", "s", connect_timeout=1)
    with pytest.raises(TeamUnreachableError, match="cannot be reached"):
        store.check()


def test_a_newer_schema_is_refused_unless_it_says_it_is_usable(team_env: TeamEnv) -> None:
    with team_env.servers.pg.superuser(team_env.database) as conn:
        conn.execute("UPDATE team_meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 5),))
        conn.execute("UPDATE team_meta SET value = %s WHERE key = 'usable_from'", (str(SCHEMA_VERSION + 2),))
    with pytest.raises(TeamSchemaError, match="newer Ideogram Studio") as info:
        team_env.library("alice")
    assert "Update Ideogram Studio" in str(info.value)
    with team_env.servers.pg.superuser(team_env.database) as conn:
        conn.execute("UPDATE team_meta SET value = '1' WHERE key = 'usable_from'")
    assert team_env.library("bob").status is not None  # additive changes: older apps go on


def test_a_designer_cannot_set_up_an_empty_database(team_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    database, bucket = team_servers.new_team()  # no owner has connected yet
    try:
        env = TeamEnv(team_servers, database, bucket, tmp_path / "cache")
        with pytest.raises(TeamSchemaError, match="not set up yet"):
            env.library("alice")
        for lib in env.opened:
            lib.close()
    finally:
        team_servers.drop_team(database)


def test_read_only_accounts_cannot_publish_and_nothing_is_half_published(
        team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    hashes = add_results(gallery, 2)
    viewer = team_env.library("viewer")
    report = Publisher(gallery, viewer, Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    assert report.published == [] and set(report.failed) == set(hashes)
    assert "read" in (report.error or "") and report.waiting == 0
    assert _rows_and_blobs(team_env) == (set(), set())
    assert all(gallery.get(h) is not None for h in hashes)


def test_a_damaged_local_file_is_left_out_with_a_reason(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    hashes = add_results(gallery, 3)
    path = gallery.path_for(hashes[1])
    path.write_bytes(path.read_bytes()[:-20] + b"\0" * 20)
    report = Publisher(gallery, team_env.library("alice"), Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    assert set(report.published) == {hashes[0], hashes[2]}
    assert "damaged" in report.failed[hashes[1]]
    rows, blobs = _rows_and_blobs(team_env)
    assert rows == blobs == {hashes[0], hashes[2]}


def test_a_damaged_team_blob_is_refused_on_pull(team_env: TeamEnv, gallery: Gallery, gallery_b: Gallery,
                                                 tmp_path: Path) -> None:
    hashes = add_results(gallery, 2)
    alice = team_env.library("alice")
    Publisher(gallery, alice, Outbox(tmp_path / "outbox.sqlite")).publish(hashes)
    team_env.servers.s3.client().put_object(Bucket=team_env.bucket, Key=blob_key(hashes[0]), Body=b"tampered")
    bob = team_env.library("bob")
    with pytest.raises(TeamIntegrityError, match="damaged"):
        bob.read_bytes(hashes[0])
    report = pull(bob, gallery_b, hashes)
    assert report.pulled == [hashes[1]] and "damaged" in report.failed[hashes[0]]
    assert gallery_b.get(hashes[0]) is None


def test_database_connection_lost_mid_publish_then_resumed(team_env: TeamEnv, gallery: Gallery,
                                                           tmp_path: Path) -> None:
    hashes = add_results(gallery, 20)
    alice = team_env.library("alice")
    publisher = Publisher(gallery, alice, Outbox(tmp_path / "outbox.sqlite"), batch=5)

    def cut(done: int, total: int) -> None:
        if done == 5:  # after the first batch: the server drops alice's connections
            with team_env.servers.pg.superuser() as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'")

    first = publisher.publish(hashes, progress=cut)
    assert len(first.published) == 5 and first.waiting == 15
    assert "cannot be reached" in (first.error or "")
    rows, blobs = _rows_and_blobs(team_env)
    assert rows <= blobs and len(rows) == 5  # blobs of the lost batch may be there; never a row without one

    second = publisher.run()
    assert second.waiting == 0 and len(first.published) + len(second.published) == 20
    rows, blobs = _rows_and_blobs(team_env)
    assert rows == blobs == set(hashes)


def test_store_going_away_mid_publish_keeps_the_queue_across_a_restart(
        team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    hashes = add_results(gallery, 20)
    store_server = start_seaweed()  # a store of its own, to stop it mid-publish
    try:
        store_server.client().create_bucket(Bucket="team")
        secret = S3_KEYS["designer"][1]
        config = dataclasses.replace(team_env.config("alice"), s3_endpoint=store_server.endpoint, bucket="team")
        alice = TeamLibrary.from_config(config, TeamCredentials("alice-pw", secret), cache_root=tmp_path / "c")
        team_env.opened.append(alice)
        alice.connect()
        outbox_path = tmp_path / "outbox.sqlite"
        publisher = Publisher(gallery, alice, Outbox(outbox_path), batch=5, workers=2)

        def stop_store(done: int, total: int) -> None:
            if done == 5:
                store_server.kill()

        first = publisher.publish(hashes, progress=stop_store)
        assert len(first.published) == 5 and first.waiting == 15
        assert "file store" in (first.error or "") and "cannot be reached" in (first.error or "")
        publisher.outbox.close()

        store_server.restart()
        again = Publisher(gallery, alice, Outbox(outbox_path), batch=5)  # a new session: the queue survived
        assert again.outbox.count() == 15
        second = again.run()
        assert second.waiting == 0 and len(first.published) + len(second.published) == 20
        rows, blobs = _rows_and_blobs(team_env, "team", store_server.client())
        assert rows == blobs == set(hashes)
        assert all(gallery.get(h) is not None for h in hashes)  # nothing lost locally
    finally:
        store_server.stop()
        store_server.remove()
