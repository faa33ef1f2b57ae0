"""`ideogram-sandbox`: the sandbox as a real HTTP server (uvicorn), for end-to-end tests and demos.

    ideogram-sandbox --port 0          # prints "Ideogram sandbox listening on http://127.0.0.1:NNNNN"

The socket is bound and listening before the line is printed, so whoever reads it can connect at
once. uvicorn runs with its h11 protocol extended so the app can drop a connection (see
disconnect.py); `serve_in_thread` runs the same server inside a test process.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from ideogram_studio import __version__

from .app import create_app
from .config import SandboxConfig
from .disconnect import DROP_EXTENSION
from .guard import LOOPBACK_HOSTS, ControlGuard

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class DroppingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, offering the app a way to close its connection without answering."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app_that_can_drop(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                scope["extensions"] = {**(scope.get("extensions") or {}), DROP_EXTENSION: self._drop}
            await inner(scope, receive, send)

        self.app = app_that_can_drop

    def _drop(self) -> None:
        # A plain close (FIN): the client reads end-of-stream where a response should be, which
        # httpx reports as RemoteProtocolError("Server disconnected without sending a response.").
        self.transport.close()


def bind_socket(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def is_loopback_address(host: str) -> bool:
    """True for addresses only this computer reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(app: ASGIApp, *, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        http=DroppingH11Protocol,
        lifespan="off",
        log_level=log_level,
        access_log=log_level in ("debug", "trace"),
        timeout_graceful_shutdown=3,
    )
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = DEFAULT_HOST, port: int = 0) -> Iterator[str]:
    """Serve `app` on a real socket from a background thread; yields its base URL."""
    sock = bind_socket(host, port)
    server = make_server(ControlGuard(app, {*LOOPBACK_HOSTS, host}))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="ideogram-sandbox", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ideogram-sandbox",
        description="A local stand-in for the Ideogram 3.0 API: same paths and shapes, "
        "deterministic pictures marked SANDBOX, links that expire.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help="address to listen on (default %(default)s; another than this computer's needs --allow-remote)",
    )
    parser.add_argument(
        "--allow-remote", action="store_true",
        help="allow a --host other computers can reach (the sandbox takes any key and has test controls)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port (default %(default)s)")
    parser.add_argument(
        "--link-lifetime", type=float, default=SandboxConfig.link_lifetime, metavar="SECONDS",
        help="how long result links stay valid (default %(default)s)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="delay before every API answer"
    )
    parser.add_argument(
        "--max-in-flight", type=int, default=SandboxConfig.max_in_flight_images, metavar="IMAGES",
        help="images in flight before 429 (default %(default)s)",
    )
    parser.add_argument("--image-base-url", default=None, metavar="URL", help="base of result links")
    parser.add_argument(
        "--revoked-key", action="append", default=[], metavar="KEY", help="answer this key with 401 (repeatable)"
    )
    parser.add_argument(
        "--async-pending", type=float, default=0.0, metavar="SECONDS",
        help="v2 async generations stay pending this long (default %(default)s)",
    )
    parser.add_argument(
        "--poll-min-interval", type=float, default=0.0, metavar="SECONDS",
        help="polls of one generation closer than this answer 429 with Retry-After (default %(default)s)",
    )
    parser.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = SandboxConfig(
        link_lifetime=args.link_lifetime,
        latency=args.latency,
        max_in_flight_images=args.max_in_flight,
        image_base_url=args.image_base_url,
        revoked_keys=frozenset(args.revoked_key),
        async_pending_seconds=args.async_pending,
        poll_min_interval=args.poll_min_interval,
    )
    if not is_loopback_address(args.host):
        if not args.allow_remote:
            print(
                f"ideogram-sandbox: {args.host} can be reached from other computers; the sandbox accepts any key "
                "and lets anyone inject faults. Add --allow-remote if that is what you want.",
                file=sys.stderr,
            )
            return 2
        print(
            f"ideogram-sandbox: warning: listening on {args.host}, reachable from other computers (--allow-remote).",
            file=sys.stderr,
            flush=True,
        )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"ideogram-sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"Ideogram sandbox listening on {url_of(sock)}", flush=True)
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it; end as after Ctrl+C (status 0).
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        app = ControlGuard(create_app(config), {*LOOPBACK_HOSTS, args.host})
        make_server(app, log_level=args.log_level).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the signal it shut down for
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
