"""Which addresses the client talks to: the key only over TLS, result links only to public hosts.

* The API base must be https, whatever set it (settings, IDEOGRAM_API_BASE, --api-base): the key
  travels in a header of every request. Plain http is allowed only to this machine (the sandbox on
  127.0.0.1 / ::1 / localhost), where nothing crosses a network.
* A result link, and every redirect it makes, must be https to a host that is not loopback,
  link-local, private or otherwise reserved: a hostile answer must not make the studio fetch from
  the designer's own network (a router page, a cloud metadata address). The API's own host is the
  exception (the sandbox serves its results from where it answers), and so is loopback when the
  API itself is on loopback.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ApiError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
#: Redirects followed for one download; the service's links answer directly or after one hop.
MAX_REDIRECTS = 3


class InsecureConnectionError(ApiError):
    """The API base would send the key in clear; nothing was sent."""


class UnsafeLinkError(ApiError):
    """A result link (or a redirect) points somewhere the studio does not fetch from."""


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:  # a malformed address (e.g. "[not-an-ip]")
        return ""


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback(host: str) -> bool:
    address = _address(host)
    if address is not None:
        return address.is_loopback
    return host in LOOPBACK_NAMES or host.endswith(".localhost")


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def is_public_host(host: str) -> bool:
    """False for addresses (and names such as localhost) that belong to this machine or its network.

    A name is judged by what it says, not what it resolves to: the client resolves names of
    redirect targets separately (`IdeogramClient` with a real network)."""
    if not host:
        return False
    address = _address(host)
    if address is not None:
        return is_public_address(address)
    return not is_loopback(host) and not host.endswith((".local", ".internal", ".lan", ".home.arpa"))


def base_url_refusal(base_url: str) -> str | None:
    """Why the client must not send the key to `base_url`, or None when it may."""
    try:
        scheme = urlsplit(base_url).scheme.lower()
    except ValueError:
        scheme = ""
    host = host_of(base_url)
    if scheme == "https" and host:
        return None
    if scheme == "http" and is_loopback(host):
        return None  # the sandbox (or a tunnel) on this machine: nothing crosses a network
    if scheme == "http":
        return (
            f"The API address {base_url} is plain http: the API key would travel in clear to {host or 'it'}. "
            "Use an https:// address (plain http is allowed only to this computer, e.g. the sandbox on "
            "127.0.0.1). Nothing was sent."
        )
    return f"The API address {base_url!r} is not a web address (https://…). Nothing was sent."


@dataclass(frozen=True)
class LinkPolicy:
    """Where result downloads may go, given the API's base URL."""

    api_host: str
    #: The API is on this computer (the sandbox on 127.0.0.1), or in this process on plain http
    #: (the built-in sandbox): its links may be plain http, to loopback and to its own names.
    api_is_local: bool
    #: An in-process transport: names are not resolved (nothing goes through DNS).
    in_process: bool = False

    @classmethod
    def for_base(cls, base_url: str, *, in_process: bool = False) -> LinkPolicy:
        host = host_of(base_url)
        plain = base_url.lower().startswith("http:")
        return cls(host, is_loopback(host) or (in_process and plain), in_process)

    def refusal(self, url: str, *, redirect: bool = False) -> str | None:
        """Why `url` must not be fetched, or None."""
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            scheme = ""
        host = host_of(url)
        what = "The result link redirected to" if redirect else "The result link points to"
        if scheme not in ("http", "https") or not host:
            return f"{what} something that is not a web address; it was not fetched."
        if host == self.api_host:
            return None  # the service's own host (the sandbox serves its results there)
        if scheme != "https" and not self.api_is_local:
            return f"{what} a plain http address ({host}): only https links are fetched, so it was not fetched."
        if self.api_is_local and is_loopback(host):
            return None
        if not is_public_host(host) and not (self.api_is_local and self.in_process and _address(host) is None):
            return f"{what} {host}, an address on this computer or its local network; it was not fetched."
        return None
