"""Publishing against real PostgreSQL and SeaweedFS: idempotent, whole lineage, one copy per image."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import Outbox, Publisher, blob_key

from .helpers import TeamEnv, add_edit, add_results


def _publisher(env: TeamEnv, gallery: Gallery, tmp_path: Path, user: str = "alice", name: str = "a") -> Publisher:
    return Publisher(gallery, env.library(user), Outbox(tmp_path / f"outbox-{name}.sqlite"))


def test_publish_copies_files_rows_tags_and_rating(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    hashes = add_results(gallery, 3, tags=("brand kit",))
    gallery.set_rating(hashes[:1], 4)
    publisher = _publisher(team_env, gallery, tmp_path)

    report = publisher.publish(hashes)

    assert sorted(report.published) == sorted(hashes)
    assert report.failed == {} and report.waiting == 0
    s3 = team_env.servers.s3.client()
    for digest in hashes:
        body = s3.get_object(Bucket=team_env.bucket, Key=blob_key(digest))["Body"].read()
        assert hashlib.sha256(body).hexdigest() == digest
        assert body == gallery.read_bytes(digest)
    team = publisher.team
    rows = {r.hash: r for r in team.page("").rows}
    assert set(rows) == set(hashes)
    first = rows[hashes[0]]
    assert first.published_by == "alice"
    assert first.tags == ("brand kit",)
    assert first.rating == 4 and first.my_rating == 4 and first.rating_count == 1
    assert first.prompt == gallery.get(hashes[0]).prompt  # type: ignore[union-attr]
    assert team.metadata(hashes[0])["request"]["prompt"] == first.prompt
    assert first.thumbnail is not None
    assert team.thumbnail(first).stat().st_size > 0


def test_publishing_again_is_a_no_op(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    hashes = add_results(gallery, 4)
    publisher = _publisher(team_env, gallery, tmp_path)
    publisher.publish(hashes)

    again = publisher.publish(hashes)

    assert again.published == [] and sorted(again.already) == sorted(hashes)
    assert publisher.team.count("") == 4


def test_an_edit_is_published_with_its_source_and_mask(team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    result, source, mask = add_edit(gallery)
    publisher = _publisher(team_env, gallery, tmp_path)

    report = publisher.publish([result])

    assert set(report.published) == {result, source, mask}
    team = publisher.team
    assert {(link.parent, link.role) for link in team.parents(result)} == {(source, "image"), (mask, "mask")}
    assert [link.child for link in team.children(source)] == [result]
    assert team.count("") == 1  # inputs are hidden from the grid, as in the local library
    inputs = team.get(mask)
    assert inputs is not None and inputs.is_input


def test_two_designers_publishing_the_same_image_at_once_store_one_copy_and_one_row(
        team_env: TeamEnv, gallery: Gallery, gallery_b: Gallery, tmp_path: Path) -> None:
    # Both libraries hold the very same bytes (the same API result saved by two people).
    digest = add_results(gallery, 1)[0]
    data = gallery.read_bytes(digest)
    meta = gallery.metadata(digest)
    from ideogram_studio.gallery.ingest import store_bytes

    assert store_bytes(gallery_b.library, data, metadata=meta, embed=False, in_file=True).hash == digest
    alice = _publisher(team_env, gallery, tmp_path, "alice", "a")
    bob = _publisher(team_env, gallery_b, tmp_path, "bob", "b")
    start = threading.Barrier(2)
    reports = {}

    def run(name: str, publisher: Publisher) -> None:
        start.wait()
        reports[name] = publisher.publish([digest])

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in (("alice", alice), ("bob", bob))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(len(r.published) for r in reports.values()) == [0, 1]
    assert sorted(len(r.already) for r in reports.values()) == [0, 1]
    with team_env.servers.pg.superuser(team_env.database) as conn:
        assert conn.execute("SELECT count(*) FROM images WHERE hash = %s", (digest,)).fetchone() == (1,)
    listing = team_env.servers.s3.client().list_object_versions(Bucket=team_env.bucket, Prefix=blob_key(digest))
    assert len(listing.get("Versions", [])) == 1
