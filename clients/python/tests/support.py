"""What the tests share: the daemon under test, and fake daemons for failures a real one
should not be made to have."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import unittest
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

# The package from this checkout when it is not installed (PYTHONPATH may name it too).
_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if os.path.isdir(_SRC) and _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from mlgym_client import Client  # noqa: E402

#: The socket of the mlgymd the tests run against.
SOCKET = os.environ.get("MLGYM_TEST_SOCKET") or None

requires_daemon = unittest.skipUnless(
    SOCKET,
    "MLGYM_TEST_SOCKET is unset: these tests need a running mlgymd. Start one as root, e.g. "
    "'mlgymd --socket /tmp/t/mlgymd.sock --state-dir /tmp/t/state --runtime-dir /tmp/t/run "
    "--socket-group none &', then run with MLGYM_TEST_SOCKET=/tmp/t/mlgymd.sock",
)


def client() -> Client:
    assert SOCKET is not None
    return Client(SOCKET)


def unique(prefix: str) -> str:
    """A session name or scope no other test (or earlier run) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def cleanup_session(test: unittest.TestCase, api: Client, session_id: str) -> None:
    """Removes the session when the test ends, whatever happened to it."""

    def remove() -> None:
        try:
            api.remove_session(session_id, force=True)
        except Exception:
            pass

    test.addCleanup(remove)


class Request:
    """One request a fake daemon received."""

    def __init__(self, method: str, target: str, headers: Dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


def response(status: int, body: Any = None, reason: str = "X", content_type: str = "application/json") -> bytes:
    """A whole HTTP response."""
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


Handler = Callable[[socket.socket, Request], None]


class FakeDaemon:
    """A Unix socket server that answers each request with what ``handler`` writes (the
    connection is closed afterwards), and records the requests."""

    def __init__(self, handler: Handler) -> None:
        self.directory = tempfile.mkdtemp(prefix="mlgym-client-test-")
        self.path = os.path.join(self.directory, "fake.sock")
        self.handler = handler
        self.requests: List[Request] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(16)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                try:
                    request = self._read(conn)
                    if request is None:
                        continue
                    self.requests.append(request)
                    self.handler(conn, request)
                except OSError:
                    pass

    @staticmethod
    def _read(conn: socket.socket) -> Optional[Request]:
        data = b""
        while b"\r\n\r\n" not in data:
            piece = conn.recv(65536)
            if not piece:
                return None
            data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            piece = conn.recv(65536)
            if not piece:
                break
            body += piece
        return Request(method, target, headers, body)

    def close(self) -> None:
        try:
            self.server.close()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "FakeDaemon":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def routes(table: Dict[Tuple[str, str], Tuple[int, Any]]) -> Handler:
    """A handler answering ``(method, path without query)`` from a table, 404 otherwise."""

    def handle(conn: socket.socket, request: Request) -> None:
        path = request.target.split("?", 1)[0]
        status, body = table.get((request.method, path), (404, {"error": {"code": "not_found", "message": "no route"}}))
        conn.sendall(response(status, body))

    return handle
