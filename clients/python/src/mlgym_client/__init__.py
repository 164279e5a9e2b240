"""A Python client of mlgymd, the mlgym daemon (HTTP/1.1 + JSON over its Unix socket).

    from mlgym_client import Client
    client = Client()                                   # $MLGYM_SOCKET, else /run/mlgym/mlgymd.sock
    with client.start(task="prisonersDilemma") as session:
        print(session.exec("ls").output)
        print(session.validate()["observation"])

``mlgym_client.env.MLGymEnv`` gives a task MLGym's environment interface
(reset/step/close). Standard library only; gymnasium is optional (``[gym]``).
"""

from ._transport import DEFAULT_SOCKET, SOCKET_ENV, default_socket_path
from .client import Client, ExecEvent, ExecResult, Session, parse_time
from .errors import (
    DaemonError,
    DaemonUnavailable,
    InvalidArgument,
    InvalidState,
    LimitExceeded,
    MethodNotAllowed,
    MLGymError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ProtocolError,
    SessionStopped,
)

__version__ = "0.3.0"

__all__ = [
    "Client",
    "Session",
    "ExecResult",
    "ExecEvent",
    "parse_time",
    "default_socket_path",
    "DEFAULT_SOCKET",
    "SOCKET_ENV",
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
    "__version__",
]
