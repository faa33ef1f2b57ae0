"""A fresh GNOME keyring on a private D-Bus, as a new Linux account has it, with its prompts counted.

The bus's only activatable services are gnome-keyring's two prompters, both a small script that
notes the prompt in a file and exits: gnome-keyring then ends the prompt as dismissed (as when the
designer presses Cancel). So a test sees every prompt the studio caused (`prompts()`), and a
prompt never waits for a person.

`start()` runs gnome-keyring-daemon with no keyring at all (a fresh account: reading through
`keyring` would ask to "choose a password" for a new login keyring). `store_locked_key()` makes a
login keyring holding the studio's key, then restarts the daemon without unlocking it (a later
login where the keyring stays locked).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ideogram_studio.secrets import ACCOUNT, SERVICE

SECRET_SERVICE_NAME = "org.freedesktop.secrets"
PROMPTERS = ("org.gnome.keyring.SystemPrompter", "org.gnome.keyring.PrivatePrompter")
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <servicedir>{services}</servicedir>{limits}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
  </policy>
</busconfig>
"""
PROMPTER = """#!/bin/sh
echo prompt >> "{log}"
exit 1
"""
#: A prompter that never answers (a prompt the designer leaves open): it waits until it is ended.
HELD_PROMPTER = """#!/bin/sh
echo prompt >> "{log}"
echo $$ >> "{log}.pids"
exec sleep 600
"""


class FreshKeyring:
    def __init__(self, root: Path, *, held_prompts: bool = False) -> None:
        """`held_prompts`: prompts stay open (never answered) instead of being dismissed at once."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.prompt_log = root / "prompts.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING"))}
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            path = root / name.lower()
            path.mkdir(mode=0o700)
            self.env[name] = str(path)
        # A short path: the daemon's control socket lives there (a socket path has ~100 characters).
        self._runtime = Path(tempfile.mkdtemp(prefix="fresh-keyring-"))
        self.env["XDG_RUNTIME_DIR"] = str(self._runtime)
        services = root / "services"
        services.mkdir()
        script = root / "prompter.sh"
        script.write_text((HELD_PROMPTER if held_prompts else PROMPTER).format(log=self.prompt_log))
        script.chmod(0o755)
        for name in PROMPTERS:
            (services / f"{name}.service").write_text(f"[D-BUS Service]\nName={name}\nExec={script}\n")
        config = root / "bus.conf"
        # A held prompt stays open as long as the test runs (the bus would end its start after 25 s).
        limits = '\n  <limit name="service_start_timeout">600000</limit>' if held_prompts else ""
        config.write_text(BUS_CONFIG.format(services=services, limits=limits))
        self._bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env, text=True,
        )  # fmt: skip
        assert self._bus.stdout is not None
        self.bus_address = self._bus.stdout.readline().strip()
        assert self.bus_address, f"dbus-daemon printed no address (exit code {self._bus.poll()})"
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        self._daemon: subprocess.Popen[bytes] | None = None

    def prompts_open(self) -> int:
        """How many held prompts are still open (their prompter still waiting)."""
        pids = Path(f"{self.prompt_log}.pids")
        return sum(Path(f"/proc/{pid}").exists() for pid in (pids.read_text().split() if pids.exists() else []))

    def prompts(self) -> int:
        """How many prompts gnome-keyring has shown (each one ended as dismissed)."""
        return self.prompt_log.read_text().count("prompt") if self.prompt_log.exists() else 0

    def start(self, password: bytes | None = None) -> None:
        """The daemon; with `password`, its login keyring is created or unlocked with it."""
        args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
        with (self.root / "daemon.log").open("ab") as log:  # what it says, for a failing test's reader
            self._daemon = subprocess.Popen(
                [*args, "--unlock"] if password is not None else args,
                stdin=subprocess.PIPE, stdout=log, stderr=log, env=self.env,
            )  # fmt: skip
        assert self._daemon.stdin is not None
        if password is not None:
            self._daemon.stdin.write(password)  # no newline: the whole password
        self._daemon.stdin.close()
        deadline = time.monotonic() + 15
        while SECRET_SERVICE_NAME not in self._bus_names():
            assert self._daemon.poll() is None, (
                f"gnome-keyring-daemon exited with {self._daemon.returncode}: {self.daemon_log()}"
            )
            if time.monotonic() > deadline:  # a guard against waiting forever, not a timing check
                raise TimeoutError(f"{SECRET_SERVICE_NAME} did not appear on the bus within 15 s")
            time.sleep(0.05)
        if os.environ.get("DBUS_SESSION_BUS_ADDRESS") == self.bus_address:  # this process uses it (the fixture)
            import keyring.backend
            import keyring.core

            # Detected again, now that the Secret Service is on the bus (keyring keeps the first
            # detection's list of viable backends).
            vars(keyring.backend.get_all_keyring).pop("saved_result", None)
            keyring.core.init_backend()

    def daemon_log(self) -> str:
        path = self.root / "daemon.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def store_locked_key(self, key: str) -> None:
        """A login keyring holding the studio's key, left locked: the daemon is restarted without it."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        self.start(b"login-password")
        connection = open_dbus_connection(self.bus_address)
        try:
            collection = secretstorage.get_default_collection(connection)
            collection.create_item("Ideogram Studio key", {"service": SERVICE, "username": ACCOUNT}, key.encode())
        finally:
            connection.close()
        self.stop_daemon()
        self.start()

    def stop_daemon(self) -> None:
        if self._daemon is not None:
            stop_process(self._daemon)
            self._daemon = None

    def close(self) -> None:
        pids = Path(f"{self.prompt_log}.pids")
        for pid in pids.read_text().split() if pids.exists() else []:  # held prompters, by their ids
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)
        self.stop_daemon()
        stop_process(self._bus)
        shutil.rmtree(self._runtime, ignore_errors=True)

    def _bus_names(self) -> str:
        return subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.ListNames"],
            env=self.env, capture_output=True, text=True, timeout=10, check=False,
        ).stdout  # fmt: skip


def stop_process(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGTERM (by its id), then SIGKILL if it lingers; its pipes closed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
