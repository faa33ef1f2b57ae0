"""The ``secret_service`` fixture gives a real, isolated Secret Service that ``keyring`` uses."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest

from tests.helpers import SecretService

SERVICE = "ideogram-studio-test"
USER = "api-key"


def _backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def test_keyring_round_trip_through_secret_service(secret_service: SecretService) -> None:
    assert "SecretService" in _backend_name()

    keyring.set_password(SERVICE, USER, "sk-test-0123456789")
    try:
        assert keyring.get_password(SERVICE, USER) == "sk-test-0123456789"
        # The secret landed in the fixture's private keyring, not the user's.
        assert any((secret_service.data_dir / "keyrings").iterdir())
    finally:
        keyring.delete_password(SERVICE, USER)
    assert keyring.get_password(SERVICE, USER) is None


def test_without_fixture_no_keyring_is_reachable() -> None:
    assert "SecretService" not in _backend_name()
    with pytest.raises(keyring.errors.KeyringError):
        keyring.get_password(SERVICE, USER)
