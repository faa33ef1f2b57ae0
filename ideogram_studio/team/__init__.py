"""The team library: a studio's shared library on PostgreSQL (index, search, live updates) and an
S3-compatible object store (the files), beside the local gallery. Qt-free; nothing in the core
imports it. See docs/team-library.md for deploying the servers.

The names below load on first use (PEP 562): psycopg and boto3 cost about a second to import on a
cold start, and a studio without a team library never needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "BlobStore": "blobs", "MemoryBlobStore": "blobs", "S3BlobStore": "blobs", "blob_key": "blobs",
    "thumb_key": "blobs",
    "CredentialVault": "config", "TeamConfig": "config", "TeamCredentials": "config",
    "TeamAuthError": "errors", "TeamBucketError": "errors", "TeamConfigError": "errors",
    "TeamConflictError": "errors", "TeamError": "errors", "TeamIntegrityError": "errors",
    "TeamNotFoundError": "errors", "TeamPermissionError": "errors", "TeamSchemaError": "errors",
    "TeamUnreachableError": "errors",
    "TeamLibrary": "library", "TeamStatus": "library",
    "TeamEvent": "listener", "TeamListener": "listener",
    "PublishReport": "models", "PullReport": "models", "TeamCollection": "models", "TeamImage": "models",
    "TeamPage": "models",
    "Outbox": "publish", "Publisher": "publish",
    "pull": "pull",
    "TeamCursor": "search",
    "TeamService": "service",
}
__all__ = [
    "BlobStore",
    "CredentialVault",
    "MemoryBlobStore",
    "Outbox",
    "PublishReport",
    "Publisher",
    "PullReport",
    "S3BlobStore",
    "TeamAuthError",
    "TeamBucketError",
    "TeamCollection",
    "TeamConfig",
    "TeamConfigError",
    "TeamConflictError",
    "TeamCredentials",
    "TeamCursor",
    "TeamError",
    "TeamEvent",
    "TeamImage",
    "TeamIntegrityError",
    "TeamLibrary",
    "TeamListener",
    "TeamNotFoundError",
    "TeamPage",
    "TeamPermissionError",
    "TeamSchemaError",
    "TeamService",
    "TeamStatus",
    "TeamUnreachableError",
    "blob_key",
    "pull",
    "thumb_key",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .blobs import BlobStore, MemoryBlobStore, S3BlobStore, blob_key, thumb_key
    from .config import CredentialVault, TeamConfig, TeamCredentials
    from .errors import (
        TeamAuthError,
        TeamBucketError,
        TeamConfigError,
        TeamConflictError,
        TeamError,
        TeamIntegrityError,
        TeamNotFoundError,
        TeamPermissionError,
        TeamSchemaError,
        TeamUnreachableError,
    )
    from .library import TeamLibrary, TeamStatus
    from .listener import TeamEvent, TeamListener
    from .models import PublishReport, PullReport, TeamCollection, TeamImage, TeamPage
    from .publish import Outbox, Publisher
    from .pull import pull
    from .search import TeamCursor
    from .service import TeamService
