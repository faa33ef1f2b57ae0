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
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .helpers import BUILD_TIMEOUT, PACKAGING, REPO, BundleApp, bundle_env


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
