"""What can go wrong with a team library, each as a sentence a designer can act on.

Every error the team code raises is a `TeamError` whose `str()` is that sentence: no traceback,
no password, no secret key. `TeamUnreachableError` is the one a caller may wait out (the queue
keeps what was being published); the others need someone to change something.
"""

from __future__ import annotations

from typing import Any


class TeamError(Exception):
    """A team library failure, with a message for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class TeamConfigError(TeamError, ValueError):
    """The settings are incomplete or malformed (a URL, an endpoint, a bucket name)."""


class TeamUnreachableError(TeamError):
    """The database or the object store did not answer (network, server down): try again later."""


class TeamAuthError(TeamError):
    """The user name, password, access key or secret key was refused."""


class TeamPermissionError(TeamError):
    """The account may not do this (a read-only role trying to publish or tag)."""


class TeamSchemaError(TeamError):
    """The shared schema cannot be used by this app version (newer, or not set up and no right to)."""


class TeamBucketError(TeamError):
    """The bucket does not exist or cannot be listed."""


class TeamIntegrityError(TeamError):
    """Bytes do not match their hash (a damaged local file or a damaged download)."""


class TeamNotFoundError(TeamError, KeyError):
    """No such image in the team library."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class TeamConflictError(TeamError):
    """Someone else changed the item first; `current` is the state now (shown to the user)."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current
