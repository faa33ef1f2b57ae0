"""The team's files in an S3-compatible bucket: `blobs/<sha256>` and `thumbs/<sha256>-<size>.<ext>`.

A blob's key is the hash of its bytes, so a write can never change what a key means: a
second publisher of the same image is told "already there" by a conditional put
(`If-None-Match: *`, HTTP 412), not an error. SeaweedFS (4.x), MinIO, AWS S3 and R2 honour the
header, also between concurrent writers (tests/team checks it against a real SeaweedFS). A
server that ignored it would merely overwrite identical bytes, which is harmless here, so no
HEAD-before-put round trip is needed.

`S3BlobStore` uses boto3 (thread-safe client, one per store); `MemoryBlobStore` is for unit tests.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from .errors import (
    TeamAuthError,
    TeamBucketError,
    TeamError,
    TeamNotFoundError,
    TeamPermissionError,
    TeamUnreachableError,
)

BLOB_PREFIX = "blobs/"
THUMB_PREFIX = "thumbs/"
_AUTH_CODES = {
    "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed",
}
_MISSING = {"NoSuchKey", "404", "NotFound"}


def blob_key(digest: str) -> str:
    return f"{BLOB_PREFIX}{digest}"


def thumb_key(digest: str, size: int, ext: str) -> str:
    return f"{THUMB_PREFIX}{digest}-{size}{ext}"


class BlobStore(Protocol):
    def check(self) -> None: ...
    def put_if_absent(self, key: str, data: bytes, content_type: str) -> bool: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def close(self) -> None: ...


class S3BlobStore:
    """An S3-compatible bucket through boto3 (path-style addressing: works with any server)."""

    def __init__(self, endpoint: str, bucket: str, access_key: str, secret_key: str | None, *,
                 region: str = "us-east-1", connect_timeout: float = 5, read_timeout: float = 60,
                 max_connections: int = 16) -> None:
        import boto3
        from botocore.config import Config

        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key or "",
            region_name=region or "us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": 2, "mode": "standard"},
                max_pool_connections=max_connections,
                # We verify every blob by its SHA-256; extra checksum trailers only narrow the
                # set of servers that work.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def check(self) -> None:
        """Raise a TeamError if the bucket cannot be listed with these credentials."""
        self._call(lambda: self._client.list_objects_v2(Bucket=self.bucket, Prefix=BLOB_PREFIX, MaxKeys=1))

    def put_if_absent(self, key: str, data: bytes, content_type: str) -> bool:
        """Write unless the key exists; True when written, False when it was already there."""
        from botocore.exceptions import ClientError

        for attempt in range(2):
            try:
                self._call(lambda: self._client.put_object(
                    Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, IfNoneMatch="*",
                ), reraise=ClientError)
                return True
            except ClientError as exc:
                code, status = _code(exc)
                if status == 412 or code == "PreconditionFailed":
                    return False
                if status == 409 and attempt == 0:  # ConditionalRequestConflict: a concurrent write; ask again
                    continue
                raise self._translate(exc) from None
        return False

    def get(self, key: str) -> bytes:
        response = self._call(lambda: self._client.get_object(Bucket=self.bucket, Key=key))
        try:
            return bytes(response["Body"].read())
        except Exception as exc:
            raise self._translate(exc) from None

    def exists(self, key: str) -> bool:
        try:
            self._call(lambda: self._client.head_object(Bucket=self.bucket, Key=key))
        except TeamNotFoundError:
            return False
        return True

    def close(self) -> None:
        self._client.close()

    # ---- errors -----------------------------------------------------------------------------
    def _call(self, fn: Any, *, reraise: type[BaseException] | None = None) -> Any:
        try:
            return fn()
        except Exception as exc:
            if reraise is not None and isinstance(exc, reraise):
                raise
            raise self._translate(exc) from None

    def _translate(self, exc: BaseException) -> TeamError:
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"The team file store at {self.endpoint}"
        if isinstance(exc, ClientError):
            code, status = _code(exc)
            if code in _AUTH_CODES:
                return TeamAuthError(
                    f"{where} refused the access key or secret key. Check them in Settings → Team library."
                )
            if code == "NoSuchBucket":
                return TeamBucketError(
                    f"The bucket “{self.bucket}” does not exist at {self.endpoint}. Check its name, or ask your "
                    "studio administrator to create it (docs/team-library.md)."
                )
            if code in _MISSING or status == 404:
                return TeamNotFoundError(f"{where} has no such file.")
            if code == "AccessDenied" or status == 403:
                return TeamPermissionError(
                    f"{where} allows your access key to read but not to write (or not this bucket). Ask your "
                    "studio administrator for a designer key to publish."
                )
            if status is not None and status >= 500:
                return TeamUnreachableError(f"{where} has a problem ({code or status}); try again later.")
            return TeamError(f"{where} refused the request ({code or status}).")
        if isinstance(exc, BotoCoreError | OSError):
            return TeamUnreachableError(
                f"{where} cannot be reached ({type(exc).__name__}). Your local library is not affected; "
                "publishing waits until it is back."
            )
        return TeamError(f"{where} failed ({type(exc).__name__}).")


def _code(exc: Any) -> tuple[str, int | None]:
    response = getattr(exc, "response", {}) or {}
    code = str((response.get("Error") or {}).get("Code") or "")
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return code, int(status) if status is not None else None


class MemoryBlobStore:
    """An in-memory bucket for unit tests: same contract, `fail` switch for fault paths."""

    def __init__(self, *, read_only: bool = False) -> None:
        self.objects: dict[str, bytes] = {}
        self.read_only = read_only
        self.fail: TeamError | None = None
        self.puts = 0
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.fail is not None:
            raise self.fail

    def put_if_absent(self, key: str, data: bytes, content_type: str) -> bool:
        if self.fail is not None:
            raise self.fail
        if self.read_only:
            raise TeamPermissionError("This file store is read-only.")
        with self._lock:
            self.puts += 1
            if key in self.objects:
                return False
            self.objects[key] = bytes(data)
            return True

    def get(self, key: str) -> bytes:
        if self.fail is not None:
            raise self.fail
        try:
            return self.objects[key]
        except KeyError:
            raise TeamNotFoundError(f"No file {key} in the team store.") from None

    def exists(self, key: str) -> bool:
        if self.fail is not None:
            raise self.fail
        return key in self.objects

    def close(self) -> None:
        pass
