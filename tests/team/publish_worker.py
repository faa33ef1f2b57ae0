"""A second studio process for the team tests: opens a local library and publishes to the team.

    python -m tests.team.publish_worker DATA_DIR OUTBOX [HASH ...]

The team settings come from the environment (TEAM_DB_URL, TEAM_DB_PASSWORD, TEAM_S3_ENDPOINT,
TEAM_BUCKET, TEAM_S3_ACCESS, TEAM_S3_SECRET); TEAM_BATCH sets the batch size and TEAM_PAUSE a
pause after each batch (so a test can kill it in the middle). Without hashes it publishes every
image of the library. Prints one line per batch ("progress done total") and a final summary.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import Outbox, Publisher, TeamConfig, TeamCredentials, TeamLibrary


def main(argv: list[str]) -> int:
    data_dir, outbox_path, *hashes = argv
    env = os.environ
    config = TeamConfig(db_url=env["TEAM_DB_URL"], s3_endpoint=env["TEAM_S3_ENDPOINT"], bucket=env["TEAM_BUCKET"],
                        s3_access_key=env["TEAM_S3_ACCESS"], enabled=True)
    credentials = TeamCredentials(env["TEAM_DB_PASSWORD"], env["TEAM_S3_SECRET"])
    pause = float(env.get("TEAM_PAUSE", "0"))
    with Gallery.open(Path(data_dir)) as gallery:
        team = TeamLibrary.from_config(config, credentials, cache_root=Path(data_dir) / "cache")
        team.connect()
        publisher = Publisher(gallery, team, Outbox(Path(outbox_path)), batch=int(env.get("TEAM_BATCH", "50")))

        def progress(done: int, total: int) -> None:
            print(f"progress {done} {total}", flush=True)
            if pause:
                time.sleep(pause)

        report = publisher.publish(hashes or [h for _, h in gallery.index.resolve(gallery.ids())], progress=progress)
        print(report.summary(), flush=True)
        team.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
