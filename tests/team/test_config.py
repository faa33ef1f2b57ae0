"""Team settings and credentials (no servers): validation in words, secrets never in files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.team import CredentialVault, MemoryBlobStore, TeamConfig, TeamCredentials
from ideogram_studio.team.config import split_password, with_pasted_password
from ideogram_studio.team.errors import TeamConfigError, TeamPermissionError

GOOD = TeamConfig(db_url="postgresql://alice@studio-box:5432/ideogram?sslmode=require",
                  s3_endpoint="https://studio-box:8333", bucket="studio-team", s3_access_key="AKALICE", enabled=True)


def test_a_good_config_validates_and_round_trips(tmp_path: Path) -> None:
    GOOD.validate()
    GOOD.save(tmp_path / "team.json")
    assert TeamConfig.load(tmp_path / "team.json") == GOOD
    assert TeamConfig.load(tmp_path / "missing.json") == TeamConfig()


@pytest.mark.parametrize(("change", "message"), [
    ({"db_url": "mysql://alice@box/db"}, "must start with postgresql://"),
    ({"db_url": ""}, "Enter the team database URL"),
    ({"db_url": "postgresql:///ideogram"}, "names no server"),
    ({"s3_endpoint": "studio-box:8333"}, "http:// or https://"),
    ({"s3_endpoint": "https://box:port"}, "is not a number"),
    ({"bucket": "Team Files"}, "is not a bucket name"),
    ({"s3_access_key": " "}, "access key id"),
])
def test_bad_settings_are_named(change: dict[str, str], message: str) -> None:
    from dataclasses import replace

    with pytest.raises(TeamConfigError, match=message):
        replace(GOOD, **change).validate()


def test_a_password_pasted_in_the_url_goes_to_the_keyring_not_the_file(tmp_path: Path) -> None:
    pasted = TeamConfig(db_url="postgresql://alice:s3cret@box:5432/ideogram", s3_endpoint="http://box:8333",
                        bucket="team", s3_access_key="AK")
    assert split_password(pasted.db_url) == ("postgresql://alice@box:5432/ideogram", "s3cret")
    with pytest.raises(ValueError, match="password"):
        pasted.save(tmp_path / "team.json")
    config, credentials = with_pasted_password(pasted, TeamCredentials(None, "secret-key"))
    config.save(tmp_path / "team.json")
    assert "s3cret" not in (tmp_path / "team.json").read_text()
    db, s3 = MemoryStore(), MemoryStore()
    CredentialVault(db, s3).save(credentials)
    assert (db.get(), s3.get()) == ("s3cret", "secret-key")
    assert CredentialVault(db, s3).load() == credentials
    assert "s3cret" not in repr(credentials)


def test_without_a_keyring_the_vault_says_so() -> None:
    # The test environment pins keyring to its "fail" backend.
    with pytest.raises(TeamConfigError, match="No usable system keyring"):
        CredentialVault().load()


def test_memory_blob_store_keeps_the_put_if_absent_contract() -> None:
    store = MemoryBlobStore()
    assert store.put_if_absent("blobs/a", b"1", "image/png") is True
    assert store.put_if_absent("blobs/a", b"1", "image/png") is False
    assert store.get("blobs/a") == b"1" and store.exists("blobs/a") and not store.exists("blobs/b")
    with pytest.raises(TeamPermissionError):
        MemoryBlobStore(read_only=True).put_if_absent("blobs/a", b"1", "image/png")
