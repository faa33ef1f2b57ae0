"""End to end: the real studio started on a fresh GNOME keyring (gnome-keyring-daemon on a private
D-Bus, as a new Linux account has it) reaches a usable window without a prompt; with a key saved in
a keyring that stays locked, it is usable at once, asks once in the background, and says why it uses
the sandbox. The bus's prompter counts every prompt and ends it as dismissed (tests/fresh_keyring.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ideogram_studio.secrets import ENV_VAR, LOCKED_AT_START
from tests.fresh_keyring import FreshKeyring

from .helpers import App, screenshot, wait

pytestmark = pytest.mark.e2e


def _studio(home: Path, keyring: FreshKeyring) -> App:
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is missing: run scripts/system-deps.sh")
    app = App(home, "https://api.ideogram.ai")  # no key anywhere: the in-process sandbox
    for name in (ENV_VAR, "IDEOGRAM_API_BASE", "PYTHON_KEYRING_BACKEND"):
        app.env.pop(name, None)
    app.env["DBUS_SESSION_BUS_ADDRESS"] = keyring.bus_address
    return app


def test_a_fresh_keyring_reaches_a_usable_window_without_a_prompt(
    x_display: str, tmp_path: Path, fresh_keyring: FreshKeyring, artifacts_dir: Path
) -> None:
    fresh_keyring.start()
    app = _studio(tmp_path / "home", fresh_keyring)
    app.start()
    wait(lambda: "keyring at start: none" in app.log_text(), 30, "the keyring to be looked into")
    app.type("A lighthouse on a cliff at dusk")
    app.key("ctrl+Return")
    wait(lambda: app.results() >= 1, 40, "the sandbox's result to be stored")
    screenshot(artifacts_dir / "fresh-keyring.png")
    assert fresh_keyring.prompts() == 0
    assert not (fresh_keyring.root / "xdg_data_home" / "keyrings").exists() or not any(
        (fresh_keyring.root / "xdg_data_home" / "keyrings").glob("*.keyring")
    )  # no login keyring was made behind the designer's back
    assert app.quit() == 0, app.stderr()
    assert "Traceback" not in app.stderr()


def test_a_locked_keyring_never_holds_the_window_and_is_said_in_words(
    x_display: str, tmp_path: Path, fresh_keyring: FreshKeyring, artifacts_dir: Path
) -> None:
    fresh_keyring.store_locked_key("sk-locked-key-789")
    app = _studio(tmp_path / "home", fresh_keyring)
    app.start()  # the window and the whole start-up, whatever the keyring does
    wait(lambda: "keyring at start: it stayed locked" in app.log_text(), 30, "the unlock prompt to be dismissed")
    assert fresh_keyring.prompts() == 1  # asked once, in the background
    app.type("A lighthouse on a cliff at dusk")
    app.key("ctrl+Return")
    wait(lambda: app.results() >= 1, 40, "the sandbox's result to be stored")
    screenshot(artifacts_dir / "locked-keyring.png")
    assert app.quit() == 0, app.stderr()
    log = app.log_text()
    assert "InitError" not in log and "No usable system keyring" not in log
    assert f"keyring notice: {LOCKED_AT_START}" in log  # what the window's notice said
    assert "sk-locked-key-789" not in log


def test_quitting_while_the_unlock_prompt_is_open_does_not_wait_for_it(x_display: str, tmp_path: Path) -> None:
    """The keyring's unlock prompt, left open (its prompter never answers), does not hold the quit:
    the studio ends while the prompt is still open (the prompt goes with the process)."""
    keyring = FreshKeyring(tmp_path / "held-keyring", held_prompts=True)
    try:
        keyring.store_locked_key("sk-locked-key-789")
        app = _studio(tmp_path / "home", keyring)
        app.start()
        wait(lambda: keyring.prompts() == 1, 30, "the unlock prompt to open")
        app.type("A lighthouse on a cliff at dusk")
        app.key("ctrl+Return")
        assert app.quit() == 0, app.stderr()  # (quit() gives up after 20 s)
        assert keyring.prompts_open() == 1  # still open: the quit did not wait for an answer
        assert "Traceback" not in app.stderr()
    finally:
        keyring.close()
