"""Is a key accepted? Asked without spending: a `dry_run` price quote of the smallest generation.

A quote runs nothing and bills nothing (../shared/ideogram-api/v2-and-4x.md, "Price quotes"), but
the service checks the key first, so 401/403 says the key is wrong or revoked. The verdict is put
in words for the Settings key field; the key itself never appears in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .client import IdeogramClient
from .errors import ApiError, AuthenticationError, NetworkError, PaymentRequiredError, RateLimitedError
from .requests import Operation
from .v2_client import V2Api
from .v2_requests import V2Request

#: The cheapest request that has a quote: one Ideogram 4.0 image at Turbo.
CHECK_OPERATION, CHECK_MODEL = Operation.GENERATE, "ideogram-4"


class KeyVerdict(Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # wrong, mistyped or revoked
    UNKNOWN = "unknown"  # no answer (offline, the service in trouble): nothing is said of the key


@dataclass(frozen=True)
class KeyCheck:
    verdict: KeyVerdict
    #: What to show at the key field.
    sentence: str


def check_request() -> V2Request:
    return V2Request.build(
        CHECK_OPERATION, CHECK_MODEL, {"prompt": "key check", "num_images": 1, "rendering_speed": "turbo"}
    )


async def check_key(client: IdeogramClient) -> KeyCheck:
    """Ask the service for a price quote with the client's key; the verdict in words."""
    try:
        await V2Api(client).quote(check_request())
    except AuthenticationError:
        return KeyCheck(
            KeyVerdict.REFUSED,
            "Ideogram refused this key: it may be mistyped, or revoked. Copy it again from ideogram.ai "
            "(Manage API) and save it.",
        )
    except (PaymentRequiredError, RateLimitedError):
        # The key was read and recognised; the account's state is another matter (said at send).
        return KeyCheck(KeyVerdict.ACCEPTED, "Ideogram accepted the key (checked with a free price quote).")
    except NetworkError:
        return KeyCheck(KeyVerdict.UNKNOWN, "The key could not be checked now: Ideogram could not be reached.")
    except ApiError as exc:
        return KeyCheck(KeyVerdict.UNKNOWN, f"The key could not be checked now: {exc}")
    return KeyCheck(KeyVerdict.ACCEPTED, "Ideogram accepted the key (checked with a free price quote).")
