"""The team service a studio holds: the queue outlives the app and is published when the team is back."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import PublishReport, TeamCredentials, TeamEvent, TeamService

from .helpers import TeamEnv, add_results
from .servers import S3_KEYS, start_seaweed


class Reports:
    def __init__(self) -> None:
        self.items: list[PublishReport] = []
        self.cond = threading.Condition()

    def __call__(self, report: PublishReport) -> None:
        with self.cond:
            self.items.append(report)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = 60) -> bool:  # type: ignore[no-untyped-def]
        with self.cond:
            return self.cond.wait_for(lambda: any(predicate(r) for r in self.items), timeout)


def test_a_queue_left_by_the_last_session_is_published_on_start(team_env: TeamEnv, gallery: Gallery,
                                                                tmp_path: Path) -> None:
    hashes = add_results(gallery, 6)
    config, credentials = team_env.config("alice"), team_env.credentials("alice")
    first = TeamService.from_settings(config, credentials, gallery, cache_root=tmp_path / "cache",
                                      data_dir=gallery.data_dir)
    first.publisher.enqueue(hashes)  # queued, then the app quit before publishing
    first.close()

    again = TeamService.from_settings(config, credentials, gallery, cache_root=tmp_path / "cache",
                                      data_dir=gallery.data_dir)
    reports, events, states = Reports(), [], []
    try:
        assert again.waiting() == 6
        again.start(on_published=reports, on_event=events.append, on_state=lambda on, msg: states.append(on))
        assert reports.wait_for(lambda r: r.waiting == 0)
        assert sorted(h for r in reports.items for h in r.published) == sorted(hashes)
        assert again.library.count("") == 6 and states[0] is True
    finally:
        again.close()
    assert any(isinstance(e, TeamEvent) and e.op == "publish" for e in events)


def test_publishing_while_the_store_is_down_waits_and_goes_out_when_it_is_back(
        team_env: TeamEnv, gallery: Gallery, tmp_path: Path) -> None:
    hashes = add_results(gallery, 5)
    store = start_seaweed()
    service = None
    try:
        store.client().create_bucket(Bucket="team")
        config = dataclasses.replace(team_env.config("alice"), s3_endpoint=store.endpoint, bucket="team")
        credentials = TeamCredentials("alice-pw", S3_KEYS["designer"][1])
        service = TeamService.from_settings(config, credentials, gallery, cache_root=tmp_path / "cache",
                                            data_dir=gallery.data_dir, retry_s=0.2)  # retry often in a test
        reports = Reports()
        service.start(on_published=reports)
        service.connect()
        store.kill()

        report = service.publish(hashes)
        assert report.published == [] and report.waiting == 5
        assert "cannot be reached" in (report.error or "")
        assert all(gallery.get(h) is not None for h in hashes)  # nothing local is blocked or lost

        store.restart()
        assert reports.wait_for(lambda r: r.waiting == 0 and r.published)
        assert service.library.count("") == 5 and service.waiting() == 0
    finally:
        if service is not None:
            service.close()
        store.stop()
        store.remove()
