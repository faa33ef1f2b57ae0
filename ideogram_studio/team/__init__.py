"""The team library: a studio's shared library on PostgreSQL (index, search, live updates) and an
S3-compatible object store (the files), beside the local gallery. Qt-free; nothing in the core
imports it. See docs/team-library.md for deploying the servers.
"""

from __future__ import annotations

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

__all__ = [
    "BlobStore", "CredentialVault", "MemoryBlobStore", "Outbox", "PublishReport", "Publisher", "PullReport",
    "S3BlobStore", "TeamAuthError", "TeamBucketError", "TeamCollection", "TeamConfig", "TeamConfigError",
    "TeamConflictError", "TeamCredentials", "TeamCursor", "TeamError", "TeamEvent", "TeamImage", "TeamIntegrityError",
    "TeamLibrary", "TeamListener", "TeamNotFoundError", "TeamPage", "TeamPermissionError", "TeamSchemaError",
    "TeamService", "TeamStatus", "TeamUnreachableError", "blob_key", "pull", "thumb_key",
]
