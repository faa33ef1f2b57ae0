"""Two studio processes against the same servers: one publishes while the other browses and hears of
it live; a publishing process killed with SIGKILL resumes with every image exactly once; pulled
images work in the local library like local ones."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import Outbox, Publisher, TeamEvent, TeamListener, pull

from .helpers import TeamEnv, add_edit, add_results
from .servers import S3_KEYS

REPO = Path(__file__).resolve().parents[2]


def _worker(env: TeamEnv, data_dir: Path, outbox: Path, *, batch: int, pause: float = 0.0) -> subprocess.Popen[str]:
    access, secret, _ = S3_KEYS["designer"]
    environment = dict(os.environ, TEAM_DB_URL=env.config("alice").db_url, TEAM_DB_PASSWORD="alice-pw",
                       TEAM_S3_ENDPOINT=env.servers.s3.endpoint, TEAM_BUCKET=env.bucket, TEAM_S3_ACCESS=access,
                       TEAM_S3_SECRET=secret, TEAM_BATCH=str(batch), TEAM_PAUSE=str(pause))
    return subprocess.Popen([sys.executable, "-m", "tests.team.publish_worker", str(data_dir), str(outbox)],
                            cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _library_with(tmp_path: Path, n: int, name: str = "studio-a") -> tuple[Path, list[str]]:
    data_dir = tmp_path / name
    with Gallery.open(data_dir) as g:
        hashes = add_results(g, n, seed=3)
    return data_dir, hashes


def test_b_browses_and_sees_a_publish_fifty_images_live(team_env: TeamEnv, tmp_path: Path) -> None:
    data_dir, hashes = _library_with(tmp_path, 50)
    bob = team_env.library("bob")
    seen: list[int] = []
    events: list[TeamEvent] = []
    cond = threading.Condition()

    def on_event(event: TeamEvent) -> None:
        count = bob.count("")  # B browses on every event, as the grid does
        with cond:
            events.append(event)
            seen.append(count)
            cond.notify_all()

    listener = TeamListener(team_env.config("bob").db_url, team_env.credentials("bob"), on_event)
    listener.start()
    assert listener.listening.wait(20)
    try:
        a = _worker(team_env, data_dir, tmp_path / "outbox-a.sqlite", batch=5, pause=0.2)
        with cond:
            assert cond.wait_for(lambda: 50 in seen, timeout=120), (seen, a.poll())
        out, err = a.communicate(timeout=60)
        assert a.returncode == 0, err
    finally:
        listener.stop()
    assert "50 published" in out
    published = [e for e in events if e.op == "publish"]
    assert len(published) == 10 and sorted(h for e in published for h in e.hashes) == sorted(hashes)
    assert seen == sorted(seen) and seen[0] < 50  # B watched the library grow while A published
    assert {r.hash for r in bob.page("", limit=100).rows} == set(hashes)


def test_kill_9_during_a_publish_then_resume_publishes_each_image_exactly_once(team_env: TeamEnv,
                                                                               tmp_path: Path) -> None:
    data_dir, hashes = _library_with(tmp_path, 60)
    outbox = tmp_path / "outbox-a.sqlite"
    a = _worker(team_env, data_dir, outbox, batch=5, pause=0.3)
    assert a.stdout is not None
    for line in a.stdout:  # wait until a few batches are in, then pull the plug
        if line.startswith("progress") and int(line.split()[1]) >= 15:
            break
    os.kill(a.pid, signal.SIGKILL)
    a.wait(30)
    a.stdout.close()
    assert a.stderr is not None
    a.stderr.close()
    with team_env.servers.pg.superuser(team_env.database) as conn:
        before = conn.execute("SELECT count(*) FROM images").fetchone()
    assert before is not None and 15 <= before[0] < 60  # killed in the middle

    with Gallery.open(data_dir) as gallery:  # the studio starts again and resumes its queue
        publisher = Publisher(gallery, team_env.library("alice"), Outbox(outbox), batch=5)
        # What was not committed is still queued (a batch committed just before the kill may be too).
        assert 60 - before[0] <= publisher.outbox.count() <= 65 - before[0]
        report = publisher.run()
    assert report.waiting == 0 and report.failed == {}
    with team_env.servers.pg.superuser(team_env.database) as conn:
        rows = conn.execute("SELECT hash, count(*) FROM images GROUP BY hash").fetchall()
        lineage_dups = conn.execute("SELECT count(*) - count(DISTINCT (child_hash, parent_hash, role)) "
                                    "FROM lineage").fetchone()
    assert sorted(h for h, _ in rows) == sorted(hashes) and {n for _, n in rows} == {1}
    assert lineage_dups == (0,)
    listing = team_env.servers.s3.client().list_objects_v2(Bucket=team_env.bucket, Prefix="blobs/", MaxKeys=1000)
    assert sorted(o["Key"].removeprefix("blobs/") for o in listing["Contents"]) == sorted(hashes)


def test_pulled_images_keep_their_request_inputs_and_lineage(team_env: TeamEnv, gallery: Gallery,
                                                             gallery_b: Gallery, tmp_path: Path) -> None:
    result, source, mask = add_edit(gallery)
    gallery.add_tags([result], ["sky"])
    Publisher(gallery, team_env.library("alice"), Outbox(tmp_path / "outbox.sqlite")).publish([result])
    bob = team_env.library("bob")
    bob.set_my_rating([result], 4)

    report = pull(bob, gallery_b, [result])

    assert set(report.pulled) == {result, source, mask}
    row = gallery_b.get(result)
    assert row is not None and row.prompt == "replace the sky with a nebula" and row.tags == ("sky",)
    assert row.rating == 4
    assert gallery_b.read_bytes(result) == gallery.read_bytes(result)  # same bytes, same hash
    assert gallery_b.metadata(result)["request"]["prompt"] == row.prompt  # Reuse settings reads this
    assert {(link.parent, link.role) for link in gallery_b.parents(result)} == {(source, "image"), (mask, "mask")}
    inputs = gallery_b.get(mask)
    assert inputs is not None and inputs.is_input
    again = pull(bob, gallery_b, [result])
    assert again.pulled == [] and sorted(again.already) == sorted([source, mask, result])
    assert again.already[-1] == result  # inputs first
