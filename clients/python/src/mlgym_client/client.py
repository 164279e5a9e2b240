"""The client of mlgymd's API (docs/api.md): sessions, exec, tasks, evaluations, memory,
literature, agent runs and campaigns.

Answers are returned as the API's JSON objects (dicts with the API's camelCase keys, dates
as ISO 8601 strings with milliseconds, e.g. ``"2026-11-28T05:25:38.516Z"``; see
:func:`parse_time`), except command results, which are :class:`ExecResult`.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Union

from ._transport import Transport, default_socket_path, path_segment, with_query
from .errors import DaemonUnavailable, InvalidState, MLGymError, NotFound, ProtocolError, SessionStopped, error_for

__all__ = ["Client", "Session", "ExecResult", "ExecEvent", "parse_time", "SESSION_ENDED_STATES", "RUN_ENDED_STATES"]

#: Session states after which a session runs nothing again.
SESSION_ENDED_STATES = ("stopped", "failed", "lost")
#: Run states after which a run takes no more steps (``interrupted`` can be resumed).
RUN_ENDED_STATES = ("finished", "interrupted", "failed")


def parse_time(text: str) -> datetime:
    """An API date (``2026-11-28T05:25:38.516Z``) as an aware :class:`datetime` in UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value).astimezone(timezone.utc)


def _compact(fields: Dict[str, Any]) -> Dict[str, Any]:
    """The fields that were given (``None`` means: let the daemon choose)."""
    return {key: value for key, value in fields.items() if value is not None}


@dataclass
class ExecResult:
    """How a command ended, and what it printed (stdout and stderr interleaved, as on a terminal).

    Attributes:
        exit_code: the command's exit status; 124 when a time limit killed it.
        output: its output. For a streamed exec, the pieces as they arrived, with a marker where
            the daemon dropped output this client read too slowly.
        timed_out: whether ``timeout`` or ``no_output_timeout`` ran out.
        timed_out_without_output: when it timed out, whether for printing nothing.
        duration_ms: how long it ran.
        truncated: whether the daemon cut the middle of a long output (plain exec only).
        dropped_bytes: bytes a streamed exec lost because this client read too slowly.
    """

    exit_code: int
    output: str
    timed_out: bool
    duration_ms: int
    truncated: bool = False
    timed_out_without_output: Optional[bool] = None
    dropped_bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @classmethod
    def from_json(cls, value: Dict[str, Any], output: Optional[str] = None, dropped_bytes: int = 0) -> "ExecResult":
        try:
            return cls(
                exit_code=int(value["exitCode"]),
                output=output if output is not None else (value.get("output") or ""),
                timed_out=bool(value["timedOut"]),
                duration_ms=int(value["durationMs"]),
                truncated=bool(value.get("truncated", False)),
                timed_out_without_output=value.get("timedOutWithoutOutput"),
                dropped_bytes=dropped_bytes,
            )
        except (KeyError, TypeError, ValueError):
            raise ProtocolError(f"mlgymd answered an exec with an unexpected result: {value!r}") from None


@dataclass
class ExecEvent:
    """One line of a streamed exec.

    ``kind`` is ``"output"`` (``text`` holds the piece), ``"dropped"`` (``dropped`` bytes are
    missing here: the client read more slowly than the command printed and the daemon's
    4 MiB buffer overflowed) or ``"exit"`` (``result`` holds how it ended; always last).
    """

    kind: str
    text: str = ""
    dropped: int = 0
    result: Optional[ExecResult] = None


def dropped_marker(count: int) -> str:
    """What a streamed exec's assembled output shows where ``count`` bytes were dropped."""
    return f"\n[... {count} bytes dropped by mlgymd: this client read too slowly ...]\n"


class Client:
    """A client of one mlgymd.

    Args:
        socket_path: the daemon's socket; default ``$MLGYM_SOCKET``, else
            ``/run/mlgym/mlgymd.sock`` (what mlgymctl uses).
        connect_timeout: seconds to wait for the daemon to accept a connection.
        timeout: seconds to wait for any answer; ``None`` (the default) waits as long as a
            command runs (an exec may rightly take hours; use exec's ``timeout`` instead).
    """

    def __init__(self, socket_path: Optional[str] = None, *, connect_timeout: Optional[float] = 10.0,
                 timeout: Optional[float] = None) -> None:
        self._http = Transport(socket_path or default_socket_path(), connect_timeout, timeout)

    @property
    def socket_path(self) -> str:
        return self._http.socket_path

    def __repr__(self) -> str:
        return f"Client(socket_path={self.socket_path!r})"

    # The daemon -----------------------------------------------------------------------------

    def info(self) -> Dict[str, Any]:
        """``GET /v1/info``: version, apiVersion, pid, cgroups, gpus, gpuDevices, rootfs, and the
        caller's uid and gid as the daemon sees them (callerUID, callerGID)."""
        return self._http.request("GET", "/v1/info")

    def ping(self) -> bool:
        """Whether the daemon answers (never raises)."""
        try:
            self.info()
            return True
        except MLGymError:
            return False

    # Sessions -------------------------------------------------------------------------------

    def create_session(
        self, *, name: Optional[str] = None, task: Optional[str] = None, memory: Optional[str] = None,
        cpus: Optional[float] = None, pids: Optional[int] = None, gpus: Optional[str] = None,
        network: Optional[str] = None, workspace: Optional[str] = None, disk: Optional[str] = None,
        wall_time: Optional[float] = None, memory_scope: Optional[str] = None,
        agent_memory: Optional[bool] = None, agent_literature: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """``POST /v1/sessions``: starts a session and returns it once it runs.

        Every argument is optional (the daemon's defaults apply): ``memory`` and ``disk`` are
        sizes as people write them (``"8G"``, ``"512M"``), ``cpus`` a number of CPUs, ``gpus``
        ``"none"``, ``"all"`` or ``"0,1"``, ``network`` ``"none"``, ``"loopback"``,
        ``"packages"`` or ``"host"``, ``workspace`` an absolute host directory, ``wall_time``
        seconds. ``task`` sets the session up on a benchmark task (:meth:`tasks`).
        """
        spec = _compact({
            "name": name, "task": task, "memory": memory, "cpus": cpus, "pids": pids, "gpus": gpus,
            "network": network, "workspace": workspace, "disk": disk, "wallTime": wall_time,
            "memoryScope": memory_scope, "agentMemory": agent_memory, "agentLiterature": agent_literature,
        })
        return self._http.request("POST", "/v1/sessions", spec)

    def start(self, **spec: Any) -> "Session":
        """Like :meth:`create_session`, returning a :class:`Session` handle (a context manager
        that stops the session when the block ends)."""
        return Session(self, self.create_session(**spec))

    def sessions(self) -> List[Dict[str, Any]]:
        """``GET /v1/sessions``: the caller's sessions (every session for root)."""
        return self._http.request("GET", "/v1/sessions")["sessions"]

    def session(self, session: str) -> Dict[str, Any]:
        """``GET /v1/sessions/{id}``: one session (id, unique id prefix or unique name)."""
        return self._http.request("GET", f"/v1/sessions/{path_segment(session)}")

    status = session

    def stop_session(self, session: str) -> Dict[str, Any]:
        """``POST /v1/sessions/{id}/stop``: kills everything in the sandbox; its record,
        history and evaluations stay. Returns the stopped session."""
        return self._http.request("POST", f"/v1/sessions/{path_segment(session)}/stop")

    def remove_session(self, session: str, *, force: bool = False) -> None:
        """``DELETE /v1/sessions/{id}``: removes the record and its history; a running session
        only with ``force`` (which stops it first)."""
        path = with_query(f"/v1/sessions/{path_segment(session)}", {"force": "true" if force else None})
        self._http.request("DELETE", path)

    def logs(self, session: str, *, execs: Union[int, str, None] = None) -> Dict[str, Any]:
        """``GET /v1/sessions/{id}/logs``: stateChanges, events and execs (the last 100
        commands unless ``execs`` is a number or ``"all"``)."""
        return self._http.request("GET", with_query(f"/v1/sessions/{path_segment(session)}/logs", {"execs": execs}))

    # Commands -------------------------------------------------------------------------------

    def exec(
        self, session: str, command: str, *, timeout: Optional[float] = None,
        no_output_timeout: Optional[float] = None, stream: bool = False,
        on_output: Optional[Callable[[str], None]] = None, on_dropped: Optional[Callable[[int], None]] = None,
    ) -> ExecResult:
        """``POST /v1/sessions/{id}/exec``: runs ``command`` in the session's shell (as if typed
        at its prompt: ``cd`` and variables persist) and returns how it ended.

        ``timeout`` (daemon default 600 s) and ``no_output_timeout`` kill the command (exit code
        124). With ``stream=True`` or an ``on_output`` callback the answer is streamed:
        ``on_output`` gets each piece as the command prints it and ``on_dropped`` the size of
        each gap. Raises :class:`SessionStopped` when the session is not running.
        """
        if not stream and on_output is None and on_dropped is None:
            body = self._exec_body(command, timeout, no_output_timeout)
            try:
                answer = self._http.request("POST", f"/v1/sessions/{path_segment(session)}/exec", body)
            except InvalidState as error:
                raise self._refined(session, error) from None
            return ExecResult.from_json(answer)
        pieces: List[str] = []
        for event in self.exec_stream(session, command, timeout=timeout, no_output_timeout=no_output_timeout):
            if event.kind == "output":
                pieces.append(event.text)
                if on_output is not None:
                    on_output(event.text)
            elif event.kind == "dropped":
                pieces.append(dropped_marker(event.dropped))
                if on_dropped is not None:
                    on_dropped(event.dropped)
            elif event.kind == "exit" and event.result is not None:
                event.result.output = "".join(pieces)
                return event.result
        raise DaemonUnavailable(  # exec_stream raises first; kept for type checkers
            f"mlgymd at {self.socket_path} ended the exec stream without a result", socket_path=self.socket_path)

    def exec_stream(self, session: str, command: str, *, timeout: Optional[float] = None,
                    no_output_timeout: Optional[float] = None) -> Iterator[ExecEvent]:
        """``POST /v1/sessions/{id}/exec?stream=true``: yields :class:`ExecEvent` values as the
        command prints (``output``, ``dropped``), and last the ``exit`` event.

        A stream that ends without its result (the daemon stopped or crashed) raises
        :class:`DaemonUnavailable`; an error line from the daemon raises its exception.
        Closing the generator early closes the connection (the command still runs to its end).
        """
        body = self._exec_body(command, timeout, no_output_timeout)
        path = f"/v1/sessions/{path_segment(session)}/exec?stream=true"
        dropped = 0
        lines = self._http.stream("POST", path, body)
        try:
            while True:
                try:
                    line = next(lines)
                except StopIteration:
                    break
                except InvalidState as error:
                    raise self._refined(session, error) from None
                if not isinstance(line, dict):
                    raise ProtocolError(f"mlgymd sent an exec stream line that is not an object: {line!r}")
                if "output" in line:
                    yield ExecEvent("output", text=str(line["output"]))
                elif "dropped" in line:
                    count = int(line["dropped"])
                    dropped += count
                    yield ExecEvent("dropped", dropped=count)
                elif "exit" in line:
                    yield ExecEvent("exit", result=ExecResult.from_json(line["exit"], output="", dropped_bytes=dropped))
                    return
                elif "error" in line:
                    detail = line["error"] if isinstance(line["error"], dict) else {}
                    error = error_for(None, detail.get("code"), str(detail.get("message", line)))
                    if isinstance(error, InvalidState):
                        error = self._refined(session, error)
                    raise error
                else:
                    raise ProtocolError(f"mlgymd sent an exec stream line with none of output, dropped, exit, error: {line!r}")
        finally:
            lines.close()
        raise DaemonUnavailable(
            f"mlgymd at {self.socket_path} ended the exec stream of session {session} without the command's "
            f"result: it stopped or crashed mid-command (the command's output so far is in its logs)",
            socket_path=self.socket_path)

    @staticmethod
    def _exec_body(command: str, timeout: Optional[float], no_output_timeout: Optional[float]) -> Dict[str, Any]:
        if not isinstance(command, str):
            raise TypeError("command must be a str of shell text")
        return _compact({"command": command, "timeout": timeout, "noOutputTimeout": no_output_timeout})

    def _refined(self, session: str, error: InvalidState) -> InvalidState:
        """A 409 on a session that has ended becomes SessionStopped (with its state)."""
        if isinstance(error, SessionStopped):
            return error
        try:
            info = self.session(session)
        except MLGymError:
            return error
        state = info.get("state")
        if state in SESSION_ENDED_STATES:
            reason = info.get("reason")
            message = error.message
            if reason:
                message += f" ({state}: {reason})"
            return SessionStopped(message, code=error.code, status=error.status, session=info.get("id"), state=state)
        return error

    # Tasks and evaluations ------------------------------------------------------------------

    def task_list(self) -> Dict[str, Any]:
        """``GET /v1/tasks`` as it is: tasks, problems (task files that did not load), rootfsIdentity."""
        return self._http.request("GET", "/v1/tasks")

    def tasks(self) -> List[Dict[str, Any]]:
        """Every task: id, name, domain, metric, direction, baseline, gpus, datasets, runnable
        and the blockers that stop it on this host."""
        return self.task_list()["tasks"]

    def task(self, task: str) -> Dict[str, Any]:
        """``GET /v1/tasks/{id}``: one task with its description (the agent's prompt) and baselineCommand."""
        return self._http.request("GET", f"/v1/tasks/{path_segment(task)}")

    def evaluate(self, session: str, kind: str) -> Dict[str, Any]:
        """``POST /v1/sessions/{id}/evaluations``: evaluates the session's artefact now
        (``validate``, ``submit``, ``autosubmit``, ``baseline``) and returns the record when done:
        status (``succeeded``, ``artefact_missing``, ``failed``, ``timed_out``, ``error``),
        metrics, observation (what an agent is shown), artefactPath, baseline, ..."""
        try:
            return self._http.request("POST", f"/v1/sessions/{path_segment(session)}/evaluations", {"kind": kind})
        except InvalidState as error:
            raise self._refined(session, error) from None

    def validate(self, session: str) -> Dict[str, Any]:
        """Evaluates the artefact (as often as you like)."""
        return self.evaluate(session, "validate")

    def submit(self, session: str) -> Dict[str, Any]:
        """Evaluates the artefact as the session's final submission (nothing is evaluated after it)."""
        return self.evaluate(session, "submit")

    def evaluations(self, session: str) -> Dict[str, Any]:
        """``GET /v1/sessions/{id}/evaluations``: task, metric, direction, evaluations,
        bestAttempt, submission, submitted."""
        return self._http.request("GET", f"/v1/sessions/{path_segment(session)}/evaluations")

    # Snapshots and forks ----------------------------------------------------------------------

    def snapshot(self, session: str, *, name: Optional[str] = None) -> Dict[str, Any]:
        """``POST /v1/sessions/{id}/snapshots``: freezes the running session, captures its workspace,
        home and overlay (and its shell's directory and exported variables), thaws it. Returns the
        snapshot: reference (``SESSION@N``), number, name, kind, bytes, frozen, frozenMs, ..."""
        body: Dict[str, Any] = {} if name is None else {"name": name}
        return self._http.request("POST", f"/v1/sessions/{path_segment(session)}/snapshots", body)

    def snapshots(self, session: str) -> List[Dict[str, Any]]:
        """The session's snapshots, oldest first (also after it stopped)."""
        return self._http.request("GET", f"/v1/sessions/{path_segment(session)}/snapshots")["snapshots"]

    def remove_snapshot(self, reference: str) -> None:
        """Removes snapshot ``SESSION@N`` (or ``SESSION@NAME``)."""
        session, _, snapshot = reference.rpartition("@")
        if not session:
            raise ValueError(f"name a snapshot as SESSION@N, not {reference!r}")
        self._http.request("DELETE", f"/v1/sessions/{path_segment(session)}/snapshots/{path_segment(snapshot)}")

    def fork(self, reference: str, *, name: Optional[str] = None) -> "Session":
        """A new session from ``SESSION@N`` (``SESSION@best``: the snapshot of its best validate), or from
        a fresh snapshot of the running ``SESSION``: same task and limits, the snapshot's files and shell
        state, no writable state shared with the parent."""
        session, at, snapshot = reference.rpartition("@")
        if not at:
            session, snapshot = reference, ""
        body: Dict[str, Any] = {}
        if snapshot:
            body["snapshot"] = snapshot
        if name is not None:
            body["name"] = name
        return Session(self, self._http.request("POST", f"/v1/sessions/{path_segment(session)}/fork", body))

    def restore(self, reference: str) -> Dict[str, Any]:
        """Rolls the running session back to ``SESSION@N``: returns bytes, durationMs, shellRestored."""
        session, _, snapshot = reference.rpartition("@")
        if not session:
            raise ValueError(f"name a snapshot as SESSION@N, not {reference!r}")
        return self._http.request("POST", f"/v1/sessions/{path_segment(session)}/restore", {"snapshot": snapshot})

    # Memory ---------------------------------------------------------------------------------

    def memory_write(self, text: str, *, scope: Optional[str] = None, task: Optional[str] = None,
                     tags: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """``POST /v1/memory``: one memory in ``scope`` (else ``task:<task>``, else ``default``)."""
        body = _compact({"scope": scope, "task": task, "text": text, "tags": list(tags) if tags is not None else None})
        return self._http.request("POST", "/v1/memory", body)

    def memory_search(self, query: str, *, scope: Optional[str] = None, task: Optional[str] = None,
                      k: Optional[int] = None, mode: Optional[str] = None) -> Dict[str, Any]:
        """``POST /v1/memory/search``: the ``k`` best matches (``mode`` hybrid, cosine or lexical)."""
        body = _compact({"scope": scope, "task": task, "query": query, "k": k, "mode": mode})
        return self._http.request("POST", "/v1/memory/search", body)

    def memory_list(self, *, scope: Optional[str] = None, task: Optional[str] = None) -> Dict[str, Any]:
        """``GET /v1/memory``: a scope's entries, oldest first, and the caller's scopes with their sizes."""
        return self._http.request("GET", with_query("/v1/memory", {"scope": scope, "task": task}))

    def memory_remove(self, memory_id: int) -> Dict[str, Any]:
        """``DELETE /v1/memory/{id}``: ``{"removed": 1}``; NotFound for no memory of yours."""
        return self._http.request("DELETE", f"/v1/memory/{path_segment(memory_id)}")

    def memory_export(self, *, scope: Optional[str] = None, task: Optional[str] = None) -> Dict[str, Any]:
        """``GET /v1/memory/export``: MLGym's memory.json (texts, embeddings, tags)."""
        return self._http.request("GET", with_query("/v1/memory/export", {"scope": scope, "task": task}))

    def memory_import(self, texts: Sequence[str], *, scope: Optional[str] = None, task: Optional[str] = None,
                      tags: Optional[Sequence[Sequence[str]]] = None) -> Dict[str, Any]:
        """``POST /v1/memory/import``: many memories at once (``tags``: one list per text)."""
        body = _compact({"scope": scope, "task": task, "texts": list(texts),
                         "tags": [list(t) for t in tags] if tags is not None else None})
        return self._http.request("POST", "/v1/memory/import", body)

    # Literature -----------------------------------------------------------------------------

    def literature_search(self, query: str, *, limit: Optional[int] = None) -> Dict[str, Any]:
        """``POST /v1/literature/search``: papers (paperId, title, abstract, year, authors, pdfURL)."""
        return self._http.request("POST", "/v1/literature/search", _compact({"query": query, "limit": limit}))

    def pdf_text(self, *, url: Optional[str] = None, document: Optional[bytes] = None,
                 max_pages: Optional[int] = None) -> Dict[str, Any]:
        """``POST /v1/literature/pdf``: a PDF's text, from ``url`` or the ``document``'s bytes."""
        encoded = base64.b64encode(document).decode("ascii") if document is not None else None
        return self._http.request("POST", "/v1/literature/pdf", _compact({"url": url, "document": encoded, "maxPages": max_pages}))

    # Agent runs and campaigns ---------------------------------------------------------------

    _RUN_FIELDS = {
        "api_base": "apiBase", "api_key": "apiKey", "seeds": "seeds", "parallel": "parallel",
        "max_steps": "maxSteps", "cost_limit": "costLimit", "campaign_cost_limit": "campaignCostLimit",
        "campaign": "campaign", "temperature": "temperature", "top_p": "topP", "history_keep": "historyKeep",
        "observation_limit": "observationLimit", "no_output_timeout": "noOutputTimeout",
        "replay_responses": "replayResponses", "price": "price", "memory": "memory", "cpus": "cpus",
        "gpus": "gpus", "keep_sessions": "keepSessions", "use_memory": "useMemory",
        "memory_scope": "memoryScope", "use_literature": "useLiterature", "method": "method",
        "first_seed": "firstSeed", "time_limit": "timeLimit", "network": "network",
        "agent_config": "agentConfig", "profile": "profile", "snapshot_on": "snapshotOn",
    }

    def start_runs(self, task: str, model: str, *, extra: Optional[Dict[str, Any]] = None,
                   **options: Any) -> List[Dict[str, Any]]:
        """``POST /v1/runs``: agent runs of ``model`` (``openai:NAME``, ``anthropic:NAME``,
        ``replay:NAME`` with ``replay_responses``, ``human``) on ``task``; returns the queued runs.

        Options (snake_case, sent as the API's camelCase): api_base, api_key, seeds, parallel,
        max_steps, cost_limit, campaign_cost_limit, campaign, temperature, top_p, history_keep,
        observation_limit, no_output_timeout, replay_responses, price (``{"inputPerMillion":
        .., "outputPerMillion": ..}`` or a pair), memory, cpus, gpus, keep_sessions, use_memory,
        memory_scope, use_literature, method, first_seed, time_limit, network, agent_config
        (``{"name", "text", "files"}``: an MLGym agent config and the files it names), profile
        (``default`` or ``parity``), snapshot_on (``validate``: a snapshot at every validate, so
        ``fork(RUN + "@best")`` continues from the best attempt). ``extra`` adds fields as the API spells them, for a daemon
        newer than this client.
        """
        body: Dict[str, Any] = {"task": task, "model": model}
        for key, value in options.items():
            if key not in self._RUN_FIELDS:
                raise TypeError(f"start_runs() got an unknown option {key!r} (known: {', '.join(sorted(self._RUN_FIELDS))})")
            if value is None:
                continue
            if key == "price" and isinstance(value, (tuple, list)):
                value = {"inputPerMillion": float(value[0]), "outputPerMillion": float(value[1])}
            if key == "replay_responses":
                value = list(value)
            body[self._RUN_FIELDS[key]] = value
        body.update(extra or {})
        return self._http.request("POST", "/v1/runs", body)["runs"]

    def runs(self, *, campaign: Optional[str] = None, task: Optional[str] = None,
             model: Optional[str] = None) -> List[Dict[str, Any]]:
        """``GET /v1/runs``: the caller's runs (every run for root), oldest first, filtered."""
        return self._http.request("GET", with_query("/v1/runs", {"campaign": campaign, "task": task, "model": model}))["runs"]

    def campaign_runs(self, campaign: str) -> List[Dict[str, Any]]:
        """The runs of one campaign (a campaign is the runs that share its name)."""
        return self.runs(campaign=campaign)

    def run(self, run: str) -> Dict[str, Any]:
        """``GET /v1/runs/{id}``: one run (state, exitStatus, steps, scores, bestAttempt, submission, ...)."""
        return self._http.request("GET", f"/v1/runs/{path_segment(run)}")

    def trajectory(self, run: str) -> Dict[str, Any]:
        """``GET /v1/runs/{id}/trajectory``: the run, systemPrompt, taskPrompt and its steps."""
        return self._http.request("GET", f"/v1/runs/{path_segment(run)}/trajectory")

    def stop_run(self, run: str) -> Dict[str, Any]:
        """``POST /v1/runs/{id}/stop``: stops it; answers once it is recorded ``interrupted``."""
        return self._http.request("POST", f"/v1/runs/{path_segment(run)}/stop")

    def resume_run(self, run: str, *, api_key: Optional[str] = None, gpus: Optional[str] = None) -> Dict[str, Any]:
        """``POST /v1/runs/{id}/resume``: continues an interrupted run from its last committed step."""
        return self._http.request("POST", f"/v1/runs/{path_segment(run)}/resume", _compact({"apiKey": api_key, "gpus": gpus}))

    def run_input(self, run: str, action: str) -> None:
        """``POST /v1/runs/{id}/input``: the next action of a ``human`` run that is awaitingInput."""
        self._http.request("POST", f"/v1/runs/{path_segment(run)}/input", {"action": action})

    def events(self, *, runs: Optional[Sequence[str]] = None, sessions: Optional[Sequence[str]] = None,
               idle_after: Optional[float] = None) -> Iterator[Dict[str, Any]]:
        """``GET /v1/events``: yields the changes of your sessions and runs (root: everyone's), or of
        only those named (full ids), as they happen: ``{"event": "run", "id": …, "state": …}``
        (``state`` only when it changed), ``{"event": "resync"}`` when this client fell behind
        and should read everything again, and first ``{"event": "following"}`` once nothing can
        be missed. With ``idle_after``, ``{"event": "idle"}`` ends the stream after that many
        seconds without news (mlgymd sends a keep-alive every 15 s). Close the generator to stop
        following."""
        query = {}
        if runs is not None:
            query["runs"] = ",".join(runs)
        if sessions is not None:
            query["sessions"] = ",".join(sessions)
        for name, data in self._http.events(with_query("/v1/events", query), read_timeout=idle_after):
            event = {"event": name}
            if isinstance(data, dict):
                event.update(data)
            yield event

    def wait_run(self, run: str, *, timeout: Optional[float] = None, poll: Optional[float] = None) -> Dict[str, Any]:
        """Waits until a run has ended (finished, interrupted or failed) and returns it. It follows
        the run's changes (``GET /v1/events``) and reads the run again when it changes; ``poll``
        is kept for older callers and only used against a daemon without events. Raises
        TimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        run_id = self.run(run)["id"]

        def remaining() -> Optional[float]:
            return None if deadline is None else max(0.01, deadline - time.monotonic())

        def ended_or_late() -> Optional[Dict[str, Any]]:
            info = self.run(run_id)
            if info.get("state") in RUN_ENDED_STATES:
                return info
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"run {run_id} is still {info.get('state')} after {timeout} s")
            return None

        try:
            while True:
                changes = self.events(runs=[run_id], idle_after=min(remaining() or 20.0, 20.0))
                for change in changes:
                    # "following" comes first: the run is read once the subscription is in place,
                    # then again at each change (and when a quiet stream ends, to check the deadline).
                    done = ended_or_late()
                    if done is not None:
                        changes.close()
                        return done
        except NotFound:
            pass  # an mlgymd without /v1/events: poll it
        while True:
            done = ended_or_late()
            if done is not None:
                return done
            time.sleep(poll or 1.0)


class Session:
    """A handle on one session: ``client.start(task="prisonersDilemma")``.

    Used as a context manager, it stops the session when the block ends (its record, logs
    and evaluations stay until :meth:`remove`).
    """

    def __init__(self, client: Client, info: Dict[str, Any]) -> None:
        self.client = client
        self.info = info
        self.id: str = info["id"]

    def __repr__(self) -> str:
        return f"Session(id={self.id!r}, name={self.name!r}, state={self.state!r})"

    @property
    def name(self) -> str:
        return self.info.get("name", self.id)

    @property
    def state(self) -> str:
        """The state when last read (:meth:`refresh` reads it again)."""
        return self.info.get("state", "")

    @property
    def task(self) -> Optional[str]:
        return (self.info.get("spec") or {}).get("task")

    def refresh(self) -> Dict[str, Any]:
        self.info = self.client.session(self.id)
        return self.info

    def exec(self, command: str, **options: Any) -> ExecResult:
        """See :meth:`Client.exec`."""
        return self.client.exec(self.id, command, **options)

    def exec_stream(self, command: str, **options: Any) -> Iterator[ExecEvent]:
        """See :meth:`Client.exec_stream`."""
        return self.client.exec_stream(self.id, command, **options)

    def validate(self) -> Dict[str, Any]:
        return self.client.validate(self.id)

    def submit(self) -> Dict[str, Any]:
        return self.client.submit(self.id)

    def evaluate(self, kind: str) -> Dict[str, Any]:
        return self.client.evaluate(self.id, kind)

    def evaluations(self) -> Dict[str, Any]:
        return self.client.evaluations(self.id)

    def snapshot(self, *, name: Optional[str] = None) -> Dict[str, Any]:
        """See :meth:`Client.snapshot`; returns the snapshot (its ``reference`` forks it)."""
        return self.client.snapshot(self.id, name=name)

    def snapshots(self) -> List[Dict[str, Any]]:
        return self.client.snapshots(self.id)

    def fork(self, snapshot: Optional[str] = None, *, name: Optional[str] = None) -> "Session":
        """A new session from this one's snapshot ``snapshot`` (a number, a name, ``best``), or from a
        fresh snapshot of it when none is named."""
        return self.client.fork(self.id if snapshot is None else f"{self.id}@{snapshot}", name=name)

    def restore(self, snapshot: Any) -> Dict[str, Any]:
        return self.client.restore(f"{self.id}@{snapshot}")

    def logs(self, **options: Any) -> Dict[str, Any]:
        return self.client.logs(self.id, **options)

    def stop(self) -> Dict[str, Any]:
        self.info = self.client.stop_session(self.id)
        return self.info

    def remove(self, *, force: bool = True) -> None:
        self.client.remove_session(self.id, force=force)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.stop()
        except MLGymError:
            pass
