"""A key saved in Settings is checked without spending (a dry-run price quote), and a wrong or
revoked key is said at the key field, in words (issue 14, item 5)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport
from ideogram_studio.secrets import MemoryStore
from tests.ui.helpers import FAST, close_studio, open_studio

GOOD, REVOKED = "sk-good-key-123", "sk-revoked-key-456"


def test_a_saved_key_is_checked_for_free_and_a_revoked_one_is_said_at_the_field(
    qtbot: QtBot, qloop: object, tmp_path: Path
) -> None:
    api = create_app(SandboxConfig(revoked_keys=frozenset({REVOKED})))
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    studio.services.tuning = replace(FAST, key_check_transport=sandbox_transport(api))
    try:
        dialog = studio.window.show_settings()
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10000)
        model = studio.window.keys.model

        dialog.key_edit.setText(REVOKED)
        with qtbot.waitSignal(model.key_checked, timeout=10000) as checked:
            assert dialog.save_key()
        assert checked.args[0] == "refused"
        assert dialog.key_message.kind() == "error"
        assert dialog.key_message.text().startswith("Ideogram refused this key")
        assert REVOKED not in dialog.key_message.text()

        dialog.key_edit.setText(GOOD)
        with qtbot.waitSignal(model.key_checked, timeout=10000) as checked:
            assert dialog.save_key()
        assert checked.args[0] == "accepted"
        assert "Ideogram accepted the key" in dialog.key_message.text()
        state = api.state.sandbox
        assert sum(state.requests_seen.values()) == 2 and state.quotes == 1  # two dry runs, one refused
        assert state.generations_created == 0 and state.image_requests == 0
        # The studio moved to the saved key (no longer the sandbox).
        qtbot.waitUntil(lambda: studio.services.uses_key(GOOD), timeout=10000)
        assert not studio.services.sandbox
        dialog.reject()
    finally:
        close_studio(qtbot, studio)
