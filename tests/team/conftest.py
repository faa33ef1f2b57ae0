"""Fixtures for the team library tests: one PostgreSQL and one SeaweedFS for the whole session
(tests/team/servers.py), a fresh database and bucket per test, local galleries with images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery

from .helpers import TeamEnv
from .servers import Servers, running_servers


@pytest.fixture(scope="session")
def team_servers() -> Iterator[Servers]:
    with running_servers() as servers:
        yield servers


@pytest.fixture
def team_env(team_servers: Servers, tmp_path: Path) -> Iterator[TeamEnv]:
    database, bucket = team_servers.new_team()
    env = TeamEnv(team_servers, database, bucket, tmp_path / "cache")
    env.library("ideogram_admin")  # the owner's first connect creates the schema, as in the guide
    try:
        yield env
    finally:
        for lib in env.opened:
            lib.close()
        team_servers.drop_team(database)


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library-a", thumbnail_workers=2)
    try:
        yield g
    finally:
        g.close()


@pytest.fixture
def gallery_b(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library-b", thumbnail_workers=2)
    try:
        yield g
    finally:
        g.close()
