"""HTTP/1.1 over mlgymd's Unix socket, with the standard library's http.client.

One connection per request: requests from several threads never share a socket, and a
daemon restarted between two calls is simply reached again.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from typing import Any, Dict, Iterator, Optional, Tuple
from urllib.parse import quote, urlencode

from .errors import (
    DaemonUnavailable,
    MLGymError,
    PermissionDenied,
    ProtocolError,
    _detail,
    error_for,
)

#: Where mlgymd listens unless told otherwise (``mlgymd --socket``).
DEFAULT_SOCKET = "/run/mlgym/mlgymd.sock"
#: The environment variable that names the socket, for mlgymd, mlgymctl and this client.
SOCKET_ENV = "MLGYM_SOCKET"

_HINT = (
    "is mlgymd running? Start it with 'systemctl start mlgymd' (or 'mlgymd --socket PATH'), "
    "or point the client at its socket: MLGYM_SOCKET=PATH or Client(socket_path=PATH)"
)


def default_socket_path() -> str:
    """``$MLGYM_SOCKET``, else ``/run/mlgym/mlgymd.sock``: the socket mlgymctl uses."""
    return os.environ.get(SOCKET_ENV) or DEFAULT_SOCKET


def path_segment(value: Any) -> str:
    """One path segment (a session id or name, a task id), percent-encoded."""
    return quote(str(value), safe="")


def with_query(path: str, query: Optional[Dict[str, Any]]) -> str:
    """``path`` with the query's non-``None`` values."""
    pairs = [(k, str(v)) for k, v in (query or {}).items() if v is not None]
    return path + ("?" + urlencode(pairs) if pairs else "")


class _UnixConnection(http.client.HTTPConnection):
    """An HTTPConnection whose socket is AF_UNIX; the URL's host is only a label (mlgymd ignores it)."""

    def __init__(self, socket_path: str, connect_timeout: Optional[float], timeout: Optional[float]) -> None:
        super().__init__("mlgymd", timeout=timeout)
        self._socket_path = socket_path
        self._connect_timeout = connect_timeout

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self._connect_timeout)
            sock.connect(self._socket_path)
            sock.settimeout(self.timeout)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class Transport:
    """Sends requests to mlgymd and turns its answers and failures into values and exceptions."""

    def __init__(self, socket_path: Optional[str] = None, connect_timeout: Optional[float] = 10.0,
                 timeout: Optional[float] = None) -> None:
        self.socket_path = socket_path or default_socket_path()
        self.connect_timeout = connect_timeout
        self.timeout = timeout

    # Connecting and sending ------------------------------------------------------------------

    def _connect(self) -> _UnixConnection:
        conn = _UnixConnection(self.socket_path, self.connect_timeout, self.timeout)
        where = self.socket_path
        try:
            conn.connect()
        except FileNotFoundError:
            raise DaemonUnavailable(
                f"cannot reach mlgymd: there is no socket at {where}; {_HINT}", socket_path=where) from None
        except ConnectionRefusedError:
            raise DaemonUnavailable(
                f"cannot reach mlgymd: nothing accepts connections on {where} (the daemon has stopped or "
                f"crashed); restart it with 'systemctl restart mlgymd' (or 'mlgymd --socket {where}'), "
                f"or point the client at the right socket: MLGYM_SOCKET=PATH or Client(socket_path=PATH)", socket_path=where) from None
        except PermissionError:
            raise PermissionDenied(
                f"permission denied on {where}: the socket admits root and the group mlgym only "
                f"(join it: usermod -aG mlgym $USER, then log in again)", status=None) from None
        except socket.timeout:
            raise DaemonUnavailable(
                f"mlgymd at {where} did not accept the connection within {self.connect_timeout} s "
                f"(it is wedged or overloaded; see journalctl -u mlgymd)", socket_path=where) from None
        except OSError as error:
            raise DaemonUnavailable(
                f"cannot connect to mlgymd at {where}: {error.strerror or error}; {_HINT}", socket_path=where) from None
        return conn

    def _broken(self, method: str, path: str, error: BaseException) -> DaemonUnavailable:
        if isinstance(error, socket.timeout):
            what = f"gave no answer within {self.timeout} s"
        else:
            what = f"closed the connection before its answer was complete ({type(error).__name__}: {error})"
        return DaemonUnavailable(
            f"mlgymd at {self.socket_path} {what} to {method} {path}: it may have stopped or crashed "
            f"mid-request; check that it runs (systemctl status mlgymd) and retry",
            socket_path=self.socket_path)

    def open(self, method: str, path: str, body: Any = None,
             accept: str = "application/json") -> Tuple[_UnixConnection, http.client.HTTPResponse]:
        """Sends a request; returns the open connection and the response (its body unread)."""
        data: Optional[bytes] = None
        headers = {"Accept": accept}
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn = self._connect()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            raise self._broken(method, path, error) from None
        return conn, response

    # Answers ---------------------------------------------------------------------------------

    def error_from(self, method: str, path: str, status: int, data: bytes) -> MLGymError:
        """The exception for a non-2xx answer."""
        try:
            detail = _detail(json.loads(data.decode("utf-8")))
        except ValueError:
            detail = None
        if detail is not None:
            return error_for(status, detail["code"], detail["message"])
        text = data.decode("utf-8", "replace").strip()[:300]
        return error_for(status, None, f"mlgymd answered HTTP {status} to {method} {path}: {text or '(no body)'}")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Sends a request and returns its JSON answer (``None`` for 204 No Content)."""
        conn, response = self.open(method, path, body)
        try:
            try:
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                raise self._broken(method, path, error) from None
        finally:
            conn.close()
        status = response.status
        if not 200 <= status < 300:
            raise self.error_from(method, path, status, data)
        if status == 204 or not data.strip():
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError:
            raise ProtocolError(
                f"mlgymd answered {method} {path} with something that is not JSON: "
                f"{data[:200].decode('utf-8', 'replace')!r}", status=status) from None

    def events(self, path: str, read_timeout: Optional[float] = None) -> Iterator[Tuple[str, Any]]:
        """Follows a server-sent-events answer (``GET /v1/events``): yields ``("following", None)``
        once the subscription is in place, then ``(event, data)`` for each event, and last
        ``("idle", None)`` when nothing arrived for ``read_timeout`` seconds (a socket that timed
        out cannot be read again: follow anew). The connection is closed when the generator ends
        or is closed.
        """
        conn = _UnixConnection(self.socket_path, self.connect_timeout, read_timeout)
        try:
            conn.connect()
        except OSError:
            conn.close()
            conn = self._connect()  # says why, as every request does
        try:
            try:
                conn.request("GET", path, headers={"Accept": "text/event-stream"})
                response = conn.getresponse()
            except (OSError, http.client.HTTPException) as error:
                raise self._broken("GET", path, error) from None
            if not 200 <= response.status < 300:
                raise self.error_from("GET", path, response.status, response.read())
            following = False
            name, data = "", []
            while True:
                try:
                    line = response.readline()
                except socket.timeout:
                    yield "idle", None
                    return
                except (OSError, http.client.HTTPException) as error:
                    raise self._broken("GET", path, error) from None
                if not line:
                    return
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                if text.startswith(":"):
                    if not following:
                        following = True
                        yield "following", None
                elif text.startswith("event:"):
                    name = text[6:].strip()
                elif text.startswith("data:"):
                    data.append(text[5:].lstrip(" "))
                elif not text and (name or data):
                    try:
                        value = json.loads("\n".join(data)) if data else None
                    except ValueError:
                        value = None
                    yield name or "message", value
                    name, data = "", []
        finally:
            conn.close()

    def stream(self, method: str, path: str, body: Any = None) -> Iterator[Any]:
        """Sends a request whose answer is NDJSON; yields each line's JSON value as it arrives.

        The connection is closed when the generator ends or is closed. A stream that ends
        in the middle of a line, or with a broken connection, raises DaemonUnavailable.
        """
        conn, response = self.open(method, path, body, accept="application/x-ndjson")
        try:
            status = response.status
            if not 200 <= status < 300:
                try:
                    data = response.read()
                except (OSError, http.client.HTTPException) as error:
                    raise self._broken(method, path, error) from None
                raise self.error_from(method, path, status, data)
            while True:
                try:
                    line = response.readline()
                except (OSError, http.client.HTTPException) as error:
                    raise self._broken(method, path, error) from None
                if not line:
                    return
                if not line.endswith(b"\n"):
                    raise self._broken(method, path, EOFError("the stream ended in the middle of a line"))
                if not line.strip():
                    continue
                try:
                    yield json.loads(line.decode("utf-8"))
                except ValueError:
                    raise ProtocolError(
                        f"mlgymd sent a stream line that is not JSON for {method} {path}: "
                        f"{line[:200].decode('utf-8', 'replace')!r}", status=status) from None
        finally:
            conn.close()
