"""Errors of the API layer, each carrying a message a designer can act on.

The message never contains the API key: the client never formats headers into errors, and
`ApiError.__str__` is the message alone.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base of every error the API layer raises. `message` is for people; `retryable` for code."""

    retryable = False
    #: True when the service may have run (and billed) the request despite the error.
    maybe_billed = False

    def __init__(self, message: str, *, status: int | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class RequestValidationError(ApiError, ValueError):
    """The request breaks a rule of the API; found before anything was sent."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class ImageFileError(ApiError, ValueError):
    """A file given as an image cannot be sent: not an image, corrupt, too big, wrong format."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message if field is None else f"{field}: {message}")
        self.field = field


class BadRequestError(ApiError):
    """400: the service refused the request; its reason is in `detail`."""


class AuthenticationError(ApiError):
    """401/403: the key is missing, wrong, revoked, or has no access to this endpoint."""


class PaymentRequiredError(ApiError):
    """402: not enough credit, or a plan limit."""


class SafetyRejectedError(ApiError):
    """422: the prompt or an input image failed the service's safety check."""


class RateLimitedError(ApiError):
    """429: too many requests in flight. Nothing ran and nothing was billed."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: trouble on the service's side."""

    retryable = True


class NetworkError(ApiError):
    """The service could not be reached; the request was not sent."""

    retryable = True


class OutcomeUnknownError(ApiError):
    """The connection failed after the request was sent: it may have run and been billed.

    Never retried automatically; the designer decides whether to send it again.
    """

    maybe_billed = True


class ResponseFormatError(ApiError):
    """The service answered (so it may have billed), but not in a shape this version can read."""

    maybe_billed = True

    def __init__(self, where: str) -> None:
        super().__init__(
            "The service answered something this version cannot read "
            f"({where}). It may have been billed, so it was not sent again; its inputs are kept.",
            detail=where,
        )


class DownloadError(ApiError):
    """A result image could not be fetched, or what arrived is not the promised image."""

    retryable = True


class LinkExpiredError(DownloadError):
    """The result's link has expired (the service keeps images for a limited time)."""

    retryable = False


class DownloadDeadlineError(DownloadError):
    """A download (retries and redirects included) ran past its overall deadline."""

    retryable = False
