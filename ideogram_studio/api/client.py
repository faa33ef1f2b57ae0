"""The asynchronous Ideogram client: validate, send, map errors, retry what is safe, download.

Retry rules (../shared/ideogram-api/README.md): 429 and 5xx and "could not connect" are retried a
bounded number of times with jittered back-off (429 honours Retry-After); a connection that fails
after the request was sent is never retried, because the service may have run and billed it.
The `Api-Key` header is added to the API's POSTs only; downloads never carry it. The key goes only
over https (or to this computer); result links and their redirects only to public https hosts
(links.py), each download within an overall deadline. Every answer is read by type
(responses.py), and text a server sent is cleaned of the key before anyone sees it (redaction.py).
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit

import httpx

from .deprecation import DeprecationLog
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    DownloadDeadlineError,
    DownloadError,
    ImageFileError,
    LinkExpiredError,
    NetworkError,
    OutcomeUnknownError,
    PaymentRequiredError,
    RateLimitedError,
    ResponseFormatError,
    SafetyRejectedError,
    ServerError,
)
from .images import ImageFile
from .limiter import InFlightLimiter
from .limits import IN_FLIGHT_IMAGES, MAX_DOWNLOAD_BYTES
from .links import (
    MAX_REDIRECTS,
    InsecureConnectionError,
    LinkPolicy,
    UnsafeLinkError,
    base_url_refusal,
    host_of,
    is_public_address,
)
from .redaction import redact_json, redact_text
from .requests import ApiRequest, DescribeRequest, LayerizeTextRequest
from .responses import ApiResponse, DescribeResponse, GeneratedImage, ImageResponse, LayerizeTextResponse

if TYPE_CHECKING:
    from .v2_client import V2Api

DEFAULT_BASE_URL = "https://api.ideogram.ai"
#: Generation is synchronous on the service: QUALITY with 8 images can take minutes.
DEFAULT_TIMEOUT = httpx.Timeout(connect=15.0, read=300.0, write=120.0, pool=None)
#: Longest one result download may take, redirects included (a 10 MB image on a slow line: ~1 min).
DOWNLOAD_DEADLINE = 180.0
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay * 4)
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(cap / 2, cap)  # "equal jitter": never zero, never in lock-step


#: Called before each retry with (attempt just failed, the error, seconds until the next try).
RetryListener = Callable[[int, ApiError, float], None]


class IdeogramClient:
    """One per app (or script). Safe to use from many tasks; close with `aclose()`."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        max_in_flight_images: int = IN_FLIGHT_IMAGES,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
        download_deadline: float = DOWNLOAD_DEADLINE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        user_agent: str = "IdeogramStudio",
    ) -> None:
        self._api_key = api_key or None
        self.base_url = base_url.rstrip("/")
        self._api_host = urlsplit(self.base_url).netloc
        # An injected transport talks to an app in this process (the sandbox, tests): no network.
        in_process = transport is not None and not isinstance(transport, httpx.AsyncHTTPTransport)
        #: Why this client will not send anything (a plain-http API base), or None. Checked here,
        #: whatever set the base (settings, environment, command line); `send` raises it.
        self.refusal = None if in_process else base_url_refusal(self.base_url)
        self.links = LinkPolicy.for_base(self.base_url, in_process=in_process)
        self.download_deadline = download_deadline
        self.limiter = InFlightLimiter(max_in_flight_images)
        self.retry = retry or RetryPolicy()
        self.max_download_bytes = max_download_bytes
        self._sleep = sleep
        #: Deprecation signals seen in answers, once per endpoint (offered to the designer).
        self.deprecations = DeprecationLog()
        self._v2: Any = None
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": user_agent},
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never shows the key
        return f"IdeogramClient({self.base_url!r}, key={'set' if self._api_key else 'none'})"

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def v2(self) -> V2Api:
        """The v2 API (Ideogram 4.x, price quotes, async generations) over this client."""
        if self._v2 is None:
            from .v2_client import V2Api

            self._v2 = V2Api(self, sleep=self._sleep)
        api: V2Api = self._v2
        return api

    async def transmit(self, request: httpx.Request, *, weight: int = 0) -> httpx.Response:
        """Send a prepared API request (the Api-Key is added here), holding `weight` limiter places.

        Transport failures become NetworkError (not sent) or OutcomeUnknownError (maybe billed).
        A plain-http API base is refused here too (InsecureConnectionError): nothing is sent."""
        if self.refusal is not None:
            raise InsecureConnectionError(self.refusal)
        if self._api_key:
            request.headers["Api-Key"] = self._api_key
        try:
            if weight > 0:
                async with self.limiter.slots(weight):
                    return await self._http.send(request)
            return await self._http.send(request)
        except httpx.HTTPError as exc:
            raise self._clean(_transport_error(exc, self._api_host)) from None

    async def with_retries(self, attempt: Callable[[], Awaitable[T]], on_retry: RetryListener | None = None) -> T:
        """Run `attempt`, retrying what the retry policy says is safe to retry.

        A JSON answer comes back with the key removed from its text (a server may echo it)."""
        result = await self._with_retries(attempt, on_retry)
        if isinstance(result, dict | list):
            cleaned: T = redact_json(result, self._api_key)
            return cleaned
        return result

    async def __aenter__(self) -> IdeogramClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- requests ----------------------------------------------------------------------------
    @overload
    async def send(  # type: ignore[overload-overlap]
        self, request: DescribeRequest, *, on_retry: RetryListener | None = None
    ) -> DescribeResponse: ...
    @overload
    async def send(  # type: ignore[overload-overlap]
        self, request: LayerizeTextRequest, *, on_retry: RetryListener | None = None
    ) -> LayerizeTextResponse: ...
    @overload
    async def send(self, request: ApiRequest, *, on_retry: RetryListener | None = None) -> ImageResponse: ...

    async def send(self, request: ApiRequest, *, on_retry: RetryListener | None = None) -> ApiResponse:
        """Validate, then POST with retries. Cancelling the awaiting task aborts the request."""
        if self.refusal is not None:
            raise InsecureConnectionError(self.refusal)
        request.validate()
        parts = request.multipart()
        url = self.base_url + request.endpoint
        headers = {"Api-Key": self._api_key} if self._api_key else {}

        async def attempt() -> Any:
            async with self.limiter.slots(request.image_count()):
                try:
                    response = await self._http.post(url, files=parts, headers=headers)
                except httpx.HTTPError as exc:
                    raise self._clean(_transport_error(exc, self._api_host)) from None
            try:
                body = redact_json(_decode(response, request), self._api_key)
            except ApiError as exc:
                raise self._clean(exc) from None
            self.deprecations.observe(request.endpoint, response, body)
            return body

        body = await self._with_retries(attempt, on_retry)
        if isinstance(request, DescribeRequest):
            return DescribeResponse.from_json(body)
        if isinstance(request, LayerizeTextRequest):
            return LayerizeTextResponse.from_json(body)
        return ImageResponse.from_json(body)

    def _clean(self, error: ApiError) -> ApiError:
        """The error with the key removed from its texts (a server may echo it back)."""
        error.message = redact_text(error.message, self._api_key)
        error.args = (error.message,)
        if error.detail is not None:
            error.detail = redact_text(error.detail, self._api_key)
        return error

    # ---- downloads ---------------------------------------------------------------------------
    async def download(self, image: GeneratedImage, *, on_retry: RetryListener | None = None) -> bytes:
        """Fetch a result at once (links expire), streamed with a size cap, checked as an image."""
        if not image.is_image_safe or not image.url:
            raise DownloadError("This image was withheld by Ideogram's safety check; there is nothing to download.")
        url = image.url
        expires = image.expires_at
        if expires is not None and expires < time.time():
            raise LinkExpiredError(_expired_message())

        data = await self._download_within_deadline(url, on_retry)
        try:
            # Decoded in full to check it, in a worker thread: the loop is the studio's GUI thread, and
            # an upscaled or 8K result took it 0.2-0.4 s.
            probed = await asyncio.to_thread(ImageFile.from_bytes, data, "result")
        except ImageFileError as exc:
            raise DownloadError(f"The downloaded result is not a valid image ({exc.message}).") from None
        expected = image.expected_size
        if expected is not None and probed.size != expected:
            raise DownloadError(
                f"The downloaded result is {probed.width}×{probed.height}, not the promised "
                f"{expected[0]}×{expected[1]}."
            )
        return data

    async def download_url(self, url: str) -> bytes:
        """Download a link that is not an image entry (e.g. layerize-text's base image)."""
        return await self._download_within_deadline(url, None)

    async def _download_within_deadline(self, url: str, on_retry: RetryListener | None) -> bytes:
        """Retries included: a slow host cannot hold a job in "downloading" for ever."""
        try:
            async with asyncio.timeout(self.download_deadline):
                return await self._with_retries(lambda: self._fetch(url), on_retry)
        except TimeoutError:
            raise DownloadDeadlineError(
                f"The download did not finish within {self.download_deadline:.0f} s; it was stopped. "
                "The request is kept: re-run it to make the image again."
            ) from None

    async def _fetch(self, url: str) -> bytes:
        # No Api-Key here, whatever the host: result links are signed and may live elsewhere.
        # Redirects are followed by hand, each target checked before anything is asked of it.
        current = url
        try:
            for hop in range(MAX_REDIRECTS + 1):
                await self._check_link(current, redirect=hop > 0)
                async with self._http.stream("GET", current, follow_redirects=False) as response:
                    if response.is_redirect:
                        location = response.headers.get("Location", "")
                        if not location:
                            raise DownloadError("The image host answered a redirect without a target.")
                        current = str(response.url.join(location))
                        continue
                    return await self._read_body(response)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # A GET is safe to repeat: a broken download is retryable, unlike a broken POST.
            raise DownloadError(f"The download was interrupted ({_describe(exc)}).") from None
        raise UnsafeLinkError(f"The result link redirected more than {MAX_REDIRECTS} times; it was not followed.")

    async def _read_body(self, response: httpx.Response) -> bytes:
        if response.status_code in (403, 404, 410):
            raise LinkExpiredError(_expired_message())
        if response.status_code >= 500:
            raise ServerError(f"The image host answered HTTP {response.status_code}.", status=response.status_code)
        if response.status_code != 200:
            raise DownloadError(f"The image host answered HTTP {response.status_code}.", status=response.status_code)
        declared = response.headers.get("Content-Length")
        if declared is not None and not declared.isdigit():
            raise DownloadError("The image host declared an unreadable size.")
        if declared is not None and int(declared) > self.max_download_bytes:
            raise DownloadError(f"The result is {int(declared) // 1_048_576} MB, over the download limit.")
        chunks: list[bytes] = []
        received = 0
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > self.max_download_bytes:
                raise DownloadError("The result is larger than the download limit; stopped.")
            chunks.append(chunk)
        if declared is not None and received != int(declared):
            raise DownloadError(f"The download was cut short ({received} of {declared} bytes).")
        return b"".join(chunks)

    async def _check_link(self, url: str, *, redirect: bool) -> None:
        refusal = self.links.refusal(url, redirect=redirect)
        if refusal is not None:
            raise UnsafeLinkError(refusal)
        host = host_of(url)
        if self.links.in_process or host == self.links.api_host or _is_ip_literal(host):
            return
        # A public-looking name may still resolve to this machine or its network (DNS rebinding).
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return  # unresolvable: the request itself will fail with a clear "could not reach"
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if not is_public_address(address) and not (self.links.api_is_local and address.is_loopback):
                what = "redirected to" if redirect else "points to"
                raise UnsafeLinkError(
                    f"The result link {what} {host}, which is an address on this computer or its local "
                    "network; it was not fetched."
                )

    # ---- retries -----------------------------------------------------------------------------
    async def _with_retries(self, attempt: Callable[[], Awaitable[T]], on_retry: RetryListener | None) -> T:
        for number in range(1, self.retry.attempts + 1):
            try:
                return await attempt()
            except ApiError as exc:
                self._clean(exc)  # whatever raised it (v1, v2, a download), the key never shows
                if not exc.retryable or number == self.retry.attempts:
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
                delay = self.retry.delay(number, retry_after)
                if on_retry is not None:
                    on_retry(number, exc, delay)
                await self._sleep(delay)
        raise AssertionError("unreachable")


# ---- mapping ---------------------------------------------------------------------------------
def _decode(response: httpx.Response, request: ApiRequest) -> Any:
    """The JSON of a 200 answer (its shape is checked by responses.py), or the error it means."""
    status = response.status_code
    if status == 200:
        try:
            return response.json()
        except ValueError:
            raise ResponseFormatError("not JSON") from None
    reason = _reason(response)
    what = request.operation.value
    if status == 400:
        raise BadRequestError(
            f"Ideogram refused the {what} request: {reason or 'invalid input'}.", status=status, detail=reason
        )
    if status in (401, 403):
        raise AuthenticationError(
            "Ideogram refused the API key (missing, wrong or revoked, or without access to "
            f"{what}). Check the key in Settings.",
            status=status,
            detail=reason,
        )
    if status == 402:
        raise PaymentRequiredError(
            f"Ideogram says the account cannot pay for this ({reason or 'not enough credit or a plan limit'}).",
            status=status,
            detail=reason,
        )
    if status == 422:
        raise SafetyRejectedError(
            f"Ideogram's safety check refused the prompt or an input image{': ' + reason if reason else ''}.",
            status=status,
            detail=reason,
        )
    if status == 429:
        retry_after = _retry_after(response.headers.get("Retry-After"))
        raise RateLimitedError(
            "Too many requests are running on this account at once; nothing was billed. "
            + (
                f"Ideogram asked to wait {retry_after:.0f} s."
                if retry_after is not None
                else "Waiting before retrying."
            ),
            retry_after=retry_after,
        )
    if status >= 500:
        raise ServerError(
            f"Ideogram is having trouble (HTTP {status}); try again shortly.", status=status, detail=reason
        )
    raise BadRequestError(
        f"Ideogram answered HTTP {status}: {reason or 'unexpected response'}.", status=status, detail=reason
    )


def _reason(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] or None
    if isinstance(body, dict):
        for key in ("error", "message", "detail", "reject_reason"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _transport_error(exc: httpx.HTTPError, host: str) -> ApiError:
    # Not sent at all: safe to retry. Sent (or partly answered): may have been billed.
    if isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteError | httpx.WriteTimeout
    ):
        return NetworkError(f"Could not reach {host} ({_describe(exc)}). Check the connection.")
    return OutcomeUnknownError(
        f"The connection to {host} failed after the request was sent ({_describe(exc)}). It may have "
        "run and been billed, so it was not sent again: check before re-running it."
    )


def _describe(exc: Exception) -> str:
    kind = type(exc).__name__
    text = str(exc).strip()
    return f"{kind}: {text}" if text else kind


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _expired_message() -> str:
    return (
        "The link to this result has expired (Ideogram keeps results for a limited time). "
        "The request is kept: re-run it to make the image again."
    )
