"""The exceptions of mlgym_client.

mlgymd answers every error with an HTTP status and the body
``{"error": {"code": "...", "message": "..."}}`` (docs/api.md). The client raises the
subclass of :class:`MLGymError` that fits the code, with the daemon's ``code``,
``message`` and HTTP ``status``. Failures to reach the daemon at all raise
:class:`DaemonUnavailable` (``status`` is ``None``).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

__all__ = [
    "MLGymError",
    "InvalidArgument",
    "PermissionDenied",
    "NotFound",
    "MethodNotAllowed",
    "InvalidState",
    "SessionStopped",
    "PayloadTooLarge",
    "LimitExceeded",
    "DaemonError",
    "DaemonUnavailable",
    "ProtocolError",
    "error_for",
]


class MLGymError(Exception):
    """Base class of every error this package raises.

    Attributes:
        code: the daemon's machine-readable code (``not_found``, ``invalid_argument``,
            ``invalid_state``, ...), or the client's own (``unavailable``, ``protocol``).
        message: one line saying what went wrong and what to do.
        status: the HTTP status of the answer, or ``None`` when there was no answer.
    """

    #: The code used when the daemon's answer carries none.
    default_code = "error"

    def __init__(self, message: str, *, code: Optional[str] = None, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, message={self.message!r})"


class InvalidArgument(MLGymError):
    """400: a malformed or impossible request (``invalid_argument``, ``parse``, ``unsupported``),
    e.g. ``memory="1K"``, an unknown network mode, a task this host cannot run."""

    default_code = "invalid_argument"


class PermissionDenied(MLGymError):
    """403 (``permission_denied``): another uid's session, a workspace that is not yours; also
    raised, with ``status`` ``None``, when the socket itself refuses the caller (not in the
    socket's group)."""

    default_code = "permission_denied"


class NotFound(MLGymError):
    """404 (``not_found``): an unknown session, task, run, memory or endpoint."""

    default_code = "not_found"


class MethodNotAllowed(MLGymError):
    """405 (``method_not_allowed``): the path exists, but not with that method."""

    default_code = "method_not_allowed"


class InvalidState(MLGymError):
    """409 (``invalid_state``): the object's state forbids the request: exec while a terminal is
    attached, an evaluation while another runs or after a submit, removing a running session
    without ``force``, resuming a run that is not interrupted."""

    default_code = "invalid_state"


class SessionStopped(InvalidState):
    """409 on a session that is no longer running (``stopped``, ``failed`` or ``lost``).

    Attributes:
        session: the session's id.
        state: its state.
    """

    def __init__(
        self, message: str, *, code: Optional[str] = None, status: Optional[int] = None,
        session: Optional[str] = None, state: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.session = session
        self.state = state


class PayloadTooLarge(MLGymError):
    """413 (``payload_too_large``): a body over the daemon's ``--max-body``."""

    default_code = "payload_too_large"


class LimitExceeded(MLGymError):
    """429 (``limit_exceeded``): the uid already has its maximum of active sessions."""

    default_code = "limit_exceeded"


class DaemonError(MLGymError):
    """5xx (``system``, ``timeout``, ...): the daemon or the host failed; the message says what."""

    default_code = "system"


class DaemonUnavailable(MLGymError):
    """mlgymd could not be reached: no socket at the path, nothing listening on it, no
    answer, or the connection broke before the answer was complete (the daemon stopped or
    crashed mid-request). ``status`` is ``None``.

    Attributes:
        socket_path: the socket the client tried.
    """

    default_code = "unavailable"

    def __init__(self, message: str, *, socket_path: Optional[str] = None, code: Optional[str] = None) -> None:
        super().__init__(message, code=code, status=None)
        self.socket_path = socket_path


class ProtocolError(MLGymError):
    """The daemon answered something this client cannot read (not JSON, not the API's shape)."""

    default_code = "protocol"


_BY_CODE: Dict[str, Type[MLGymError]] = {
    "invalid_argument": InvalidArgument,
    "parse": InvalidArgument,
    "unsupported": InvalidArgument,
    "permission_denied": PermissionDenied,
    "not_found": NotFound,
    "method_not_allowed": MethodNotAllowed,
    "invalid_state": InvalidState,
    "already_exists": InvalidState,
    "payload_too_large": PayloadTooLarge,
    "limit_exceeded": LimitExceeded,
    "system": DaemonError,
    "timeout": DaemonError,
}

_BY_STATUS: Dict[int, Type[MLGymError]] = {
    400: InvalidArgument,
    403: PermissionDenied,
    404: NotFound,
    405: MethodNotAllowed,
    409: InvalidState,
    413: PayloadTooLarge,
    429: LimitExceeded,
}


def error_for(status: Optional[int], code: Optional[str], message: str) -> MLGymError:
    """The exception for an error answer: by the daemon's code first, else by the HTTP status."""
    cls: Type[MLGymError]
    if code in _BY_CODE:
        cls = _BY_CODE[code]  # type: ignore[index]
    elif status is not None and status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status is not None and status >= 500:
        cls = DaemonError
    else:
        cls = MLGymError
    return cls(message, code=code or cls.default_code, status=status)


def _detail(body: Any) -> Optional[Dict[str, str]]:
    """The ``error`` object of an API error body, if ``body`` is one."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        detail = body["error"]
        if isinstance(detail.get("code"), str) and isinstance(detail.get("message"), str):
            return detail
    return None
