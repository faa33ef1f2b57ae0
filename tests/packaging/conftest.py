"""Fixtures for the packaging tests: the PyInstaller bundle, an X display, the bundle as a process.

- ``bundle``: the one-folder bundle. ``$IDEOGRAM_BUNDLE`` names a prebuilt one (``.ci/run`` builds
  it with ``packaging/build.sh`` from the fresh clone first); otherwise it is built here, once per
  session, by ``packaging/build.sh`` into a temporary folder, with this interpreter's venv.
- ``x_display``: ``$DISPLAY`` (``xvfb-run`` in scripts/test.sh and .ci/run), or an Xvfb of our own.
- ``BundleApp``: one run of the bundle's window in the test's own XDG folders (the root conftest
  isolates them), driven from outside with xdotool like a person would.
- ``locked_secret_service``: a private bus + gnome-keyring whose collection is locked, on a bus
  that cannot start an unlock prompt, so unlocking fails at once (KeyringLocked).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
APP_ID = "ai.ideogram.studio.IdeogramStudio"
BUILD_TIMEOUT = 900


def project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def wait(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def no_traceback(text: str) -> None:
    assert "Traceback (most recent call last)" not in text, text[-3000:]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prebuilt = os.environ.get("IDEOGRAM_BUNDLE")
    if prebuilt:
        path = Path(prebuilt).resolve()
        assert (path / "ideogram-studio").is_file(), f"IDEOGRAM_BUNDLE={prebuilt} holds no ideogram-studio executable"
        return path
    out = tmp_path_factory.mktemp("bundle")
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(
        ["bash", str(PACKAGING / "build.sh"), "--dist", str(out / "dist"), "--work", str(out / "work")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"packaging/build.sh failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return out / "dist" / "IdeogramStudio"


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is missing: run scripts/system-deps.sh")
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    display = ":" + proc.stdout.readline().strip()
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def xdotool(*args: str, display: str) -> str:
    result = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, env={**os.environ, "DISPLAY": display}, check=False
    )
    return result.stdout.strip()


def bundle_env(display: str | None, **extra: str | None) -> dict[str, str]:
    """The test's (isolated) environment for the bundle: no key, no API base, X11 only.

    ``extra`` sets variables; a value of None removes one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEOGRAM_")}
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DISPLAY"):
        env.pop(name, None)
    if display:
        env["DISPLAY"] = display
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class BundleApp:
    """One run of the bundle's window; the library lands in the test's XDG_DATA_HOME."""

    def __init__(self, bundle: Path, display: str, env: dict[str, str]) -> None:
        self.exe = bundle / "ideogram-studio"
        self.display = display
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self.window = ""
        self._stderr = ""

    @property
    def library(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "IdeogramStudio"

    @property
    def log(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "IdeogramStudio" / "log" / "ideogram-studio.log"

    def start(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [str(self.exe), *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )

    def find_window(self, title_regex: str, timeout: float = 60) -> str:
        def found() -> str:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"the bundle exited with {self.proc.returncode}: {self.stderr()}")
            out = xdotool("search", "--onlyvisible", "--name", title_regex, display=self.display).split()
            return out[0] if out else ""

        self.window = str(wait(found, timeout, f"a window titled {title_regex!r}"))
        # No window manager under Xvfb: give the window the input focus directly (Qt then treats it
        # as active, its shortcuts work, and XTEST key events reach it like real typing).
        xdotool("windowfocus", "--sync", self.window, display=self.display)
        return self.window

    def title(self) -> str:
        return xdotool("getwindowname", self.window, display=self.display)

    def type(self, text: str) -> None:
        xdotool("type", "--delay", "5", text, display=self.display)

    def key(self, *keys: str) -> None:
        xdotool("key", *keys, display=self.display)

    def log_text(self) -> str:
        return self.log.read_text("utf-8") if self.log.exists() else ""

    def stored_results(self) -> int:
        index = self.library / "index.sqlite3"
        if not index.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
                return int(db.execute("SELECT count(*) FROM images WHERE is_input = 0").fetchone()[0])
        except sqlite3.Error:  # created but not migrated yet
            return 0

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"the bundle did not exit within {timeout} s: {self.stderr()}") from None
        return code

    def stderr(self) -> str:
        """What the process wrote to stderr (read once it has exited)."""
        stream = self.proc.stderr if self.proc is not None else None
        if stream is not None and not stream.closed and self.proc is not None and self.proc.poll() is not None:
            self._stderr += stream.read()
            stream.close()
        return self._stderr

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.stderr()


@pytest.fixture
def run_bundle(bundle: Path, x_display: str) -> Iterator[Callable[..., BundleApp]]:
    """Start the bundle's window (arguments, env overrides); every run is stopped at the end."""
    started: list[BundleApp] = []

    def start(*args: str, **env: str | None) -> BundleApp:
        app = BundleApp(bundle, x_display, bundle_env(x_display, QT_QPA_PLATFORM="xcb", **env))
        app.start(*args)
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


@pytest.fixture
def sandbox_server() -> Iterator[str]:
    """`ideogram-sandbox` as a real HTTP server on 127.0.0.1 (a stand-in for the real API); yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ideogram_studio.sandbox.server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the socket listens before this line is printed
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    try:
        assert match, f"ideogram-sandbox printed {line!r} (exit {proc.poll()})"
        yield match.group(0)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()


def api_requests_seen(url: str) -> int:
    import httpx

    stats = httpx.get(f"{url}/sandbox/stats", timeout=10, trust_env=False).json()
    return sum(stats["requests_seen"].values())


_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- A session bus that activates no services: no unlock prompt can be started on it. -->
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def locked_secret_service(tmp_path: Path) -> Iterator[str]:
    """A Secret Service whose default collection is locked and cannot be unlocked; yields the bus address."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: run scripts/system-deps.sh (dbus, gnome-keyring)")
    base = tmp_path / "locked-keyring"
    base.mkdir()
    (base / "bus.conf").write_text(_BUS_CONFIG.format(dir=base), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING"))}
    for name in ("XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        (base / name).mkdir(mode=0o700)
        env[name] = str(base / name)
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={base / 'bus.conf'}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    daemon: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address, f"dbus-daemon printed no address (exit {bus.poll()})"
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(b"ideogram-test-password")
        daemon.stdin.close()
        lock = (
            "import secretstorage, time\n"
            "for _ in range(100):\n"
            "    try:\n"
            "        c = secretstorage.get_default_collection(secretstorage.dbus_init()); break\n"
            "    except Exception:\n"
            "        time.sleep(0.1)\n"
            "c.lock()\n"
            "assert c.is_locked()\n"
        )
        subprocess.run([sys.executable, "-c", lock], env=env, check=True, timeout=30)
        yield address
    finally:
        for proc in (daemon, bus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        if bus.stdout is not None:
            bus.stdout.close()
