"""Where the team library is and how to log in to it.

The settings (database URL without its password, S3 endpoint, bucket, access key id, region)
are kept as JSON beside the app's settings (`team.json`); the two secrets, the database
password and the S3 secret key, live in the OS keyring only, like the API key. TLS is what
the URLs say: `sslmode=require`/`verify-full` in the PostgreSQL URL, `https://` for the
S3 endpoint.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..secrets import KeyringStore, SecretStore, SecretStoreError
from .errors import TeamConfigError

#: The settings file's name, beside the app's settings.json.
TEAM_FILE = "team.json"
#: Keyring accounts (service "ideogram-studio", as the API key).
DB_PASSWORD_ACCOUNT = "team-db-password"
S3_SECRET_ACCOUNT = "team-s3-secret-key"
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_SECRET_WORDS = ("password", "secret")


@dataclass(frozen=True)
class TeamConfig:
    """The team library's settings. Holds no secret (`validate` refuses a URL with a password)."""

    db_url: str = ""  # postgresql://alice@studio-box:5432/ideogram?sslmode=require
    s3_endpoint: str = ""  # https://studio-box:8333
    bucket: str = ""
    s3_access_key: str = ""  # the key *id*; the secret key is in the keyring
    s3_region: str = "us-east-1"
    enabled: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.db_url and self.s3_endpoint and self.bucket)

    def validate(self) -> None:
        """Raise TeamConfigError naming the first field that is wrong."""
        check_db_url(self.db_url)
        check_endpoint(self.s3_endpoint)
        if not _BUCKET.match(self.bucket):
            raise TeamConfigError(
                f"“{self.bucket}” is not a bucket name: use 3 to 63 lower-case letters, digits, dots or dashes."
            )
        if not self.s3_access_key.strip():
            raise TeamConfigError("Enter the S3 access key id your studio administrator gave you.")

    @classmethod
    def load(cls, path: Path) -> TeamConfig:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        data = asdict(self)
        for key in data:
            if any(word in key for word in _SECRET_WORDS):  # belt and braces: never a secret in a file
                raise ValueError(f"refusing to write a secret-looking setting {key!r}")
        if password_in_url(self.db_url):
            raise ValueError("refusing to write a database URL that carries a password")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), "utf-8")
        os.replace(tmp, path)


@dataclass(frozen=True)
class TeamCredentials:
    """The two secrets, in memory only while connecting."""

    db_password: str | None = None
    s3_secret_key: str | None = None

    def __repr__(self) -> str:  # never print a secret, even in a debugger or a log line
        return "TeamCredentials(***)"


def check_db_url(url: str) -> dict[str, Any]:
    """The URL's parts (psycopg's view of them); TeamConfigError when it is not a PostgreSQL URL."""
    import psycopg.conninfo

    if not url.strip():
        raise TeamConfigError("Enter the team database URL, e.g. postgresql://you@studio-box/ideogram.")
    if not url.startswith(("postgresql://", "postgres://")):
        raise TeamConfigError(
            "The team database URL must start with postgresql://, e.g. postgresql://you@studio-box/ideogram."
        )
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise TeamConfigError(f"The team database URL cannot be read ({_first_line(exc)}).") from None
    if not parts.get("host"):
        raise TeamConfigError("The team database URL names no server (postgresql://you@SERVER/ideogram).")
    return parts


def check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TeamConfigError("The S3 endpoint must be an http:// or https:// address, e.g. https://studio-box:8333.")
    try:
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        raise TeamConfigError(f"The S3 endpoint's port in “{endpoint}” is not a number.") from None


def password_in_url(url: str) -> bool:
    try:
        return bool(urlsplit(url).password) or "password=" in url
    except ValueError:
        return False


def split_password(url: str) -> tuple[str, str | None]:
    """(URL without its password, the password): a pasted URL's password goes to the keyring."""
    parts = urlsplit(url)
    if not parts.password:
        return url, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}@{netloc}" if user else netloc).geturl(), parts.password


class CredentialVault:
    """The team secrets in the OS keyring (or any SecretStore pair, for tests)."""

    def __init__(self, db_store: SecretStore | None = None, s3_store: SecretStore | None = None) -> None:
        self._db = db_store or KeyringStore(DB_PASSWORD_ACCOUNT)
        self._s3 = s3_store or KeyringStore(S3_SECRET_ACCOUNT)

    def load(self) -> TeamCredentials:
        try:
            return TeamCredentials(self._db.get(), self._s3.get())
        except SecretStoreError:
            raise TeamConfigError(_NO_KEYRING) from None

    def update(self, credentials: TeamCredentials) -> None:
        """Store the secrets that are given; keep the others as they are."""
        try:
            for store, value in ((self._db, credentials.db_password), (self._s3, credentials.s3_secret_key)):
                if value:
                    store.set(value)
        except SecretStoreError:
            raise TeamConfigError(_NO_KEYRING) from None

    def save(self, credentials: TeamCredentials) -> None:
        try:
            for store, value in ((self._db, credentials.db_password), (self._s3, credentials.s3_secret_key)):
                if value:
                    store.set(value)
                else:
                    store.delete()
        except SecretStoreError:
            raise TeamConfigError(_NO_KEYRING) from None


_NO_KEYRING = (
    "No usable system keyring was found, so the team library's password and secret key cannot be stored "
    "safely. Install or unlock a keyring (GNOME Keyring, KWallet) and enter them again."
)


def with_pasted_password(config: TeamConfig, credentials: TeamCredentials) -> tuple[TeamConfig, TeamCredentials]:
    """Move a password typed into the URL into the credentials."""
    url, password = split_password(config.db_url)
    if password is None:
        return config, credentials
    return replace(config, db_url=url), replace(credentials, db_password=password)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
