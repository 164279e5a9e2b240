"""``MLGymEnv``: MLGym's environment interface, on an mlgymd task session.

The interface is the one MLGym's agent loop drives::

    env = MLGymEnv("prisonersDilemma")
    observation, info = env.reset()              # starts a task session
    observation, reward, done, info = env.step("cat target.py")
    ...
    observation, reward, done, info = env.step("submit")   # done is True
    env.close()                                  # stops the session

An action is shell text run in the session's shell (``cd``, variables and functions persist).
``validate`` and ``submit`` evaluate the artefact in the daemon's sealed evaluation sandbox;
``submit`` ends the episode. ``skip`` and ``exit_forfeit`` end it without an evaluation;
``exit_context``, ``exit_cost``, ``exit_error``, ``exit_format``, ``exit_api`` and running
past ``max_steps`` end it with an automatic submission of the current artefact.

``step`` returns a 4-tuple like MLGym's (not gymnasium's 5-tuple); the reward is always 0.
``info`` has MLGym's keys: ``exit_status`` (``""`` until the episode ends, then e.g.
``"submitted"``, ``"autosubmission (max_steps)"``, ``"submission_not_found (submit)"``),
``submission`` (the artefact's path once submitted), ``score`` (the metrics of the
evaluations this step made, one dict each), ``model_stats`` and ``summarizer`` (empty: they
are the agent's to fill). Missing keys read as ``None``, as in MLGym.

When gymnasium is installed (``pip install mlgym-client[gym]``) the class is a
``gymnasium.Env``; without it, a plain class with the same methods.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

from .client import Client, ExecResult
from .errors import InvalidState, MLGymError, SessionStopped

try:  # pragma: no cover - depends on the environment
    import gymnasium as _gym

    _Base: Any = _gym.Env
    HAS_GYMNASIUM = True
except ImportError:  # pragma: no cover
    _gym = None
    _Base = object
    HAS_GYMNASIUM = False

__all__ = ["MLGymEnv", "StepInfo", "HAS_GYMNASIUM", "AUTOSUBMIT_ACTIONS"]

#: Actions that end the episode with an automatic submission of the current artefact.
AUTOSUBMIT_ACTIONS = ("exit_context", "exit_cost", "exit_error", "exit_format", "exit_api")

# An `edit N:M` command of the file editor must end with `end_of_edit`.
_EDIT = re.compile(r"^edit\s+\d+:\d+(\s|$)", re.MULTILINE)
# Whether an action might have run the in-sandbox validate or submit tools.
_EVALUATING = re.compile(r"(^|[^\w-])(validate|submit)([^\w-]|$)")


class StepInfo(dict):
    """The ``info`` of a step: a dict with MLGym's keys, whose missing keys read as ``None``
    and whose keys also read as attributes (``info.exit_status``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(model_stats={}, exit_status="", submission=None, score=[], summarizer={})
        self.update(*args, **kwargs)

    def __missing__(self, key: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class MLGymEnv(_Base):  # type: ignore[misc,valid-type]
    """A task of an mlgymd as an MLGym environment.

    Args:
        task: the task id (``client.tasks()`` lists them); ``reset(options={"task": ...})``
            may name another.
        client: the :class:`Client` to use; default ``Client(socket_path)``.
        socket_path: the daemon's socket when no client is given (default ``$MLGYM_SOCKET``,
            else ``/run/mlgym/mlgymd.sock``).
        max_steps: steps before the episode ends with an automatic submission (MLGym's
            default, 100).
        command_timeout: seconds an action may run; default the task's ``trainingTimeout``.
        no_output_timeout: seconds an action may print nothing (at most ``command_timeout``).
        session_options: more fields of the session (``memory``, ``cpus``, ``gpus``,
            ``network``, ``disk``, ``wall_time``, ``agent_memory``, ...; see
            :meth:`Client.create_session`).
        remove_on_close: remove the session's record too when closing (default: keep it, so
            its logs and evaluations can still be read).
    """

    metadata: Dict[str, Any] = {"render_modes": []}

    def __init__(
        self, task: Optional[str] = None, *, client: Optional[Client] = None, socket_path: Optional[str] = None,
        max_steps: int = 100, command_timeout: Optional[float] = None, no_output_timeout: float = 600.0,
        session_options: Optional[Dict[str, Any]] = None, remove_on_close: bool = False,
    ) -> None:
        if HAS_GYMNASIUM:
            super().__init__()
        self.client = client if client is not None else Client(socket_path)
        self.task_id = task
        self.max_steps = max_steps
        self.command_timeout = command_timeout
        self.no_output_timeout = no_output_timeout
        self.session_options = dict(session_options or {})
        self.remove_on_close = remove_on_close
        self.session_id: Optional[str] = None
        self.task: Optional[Dict[str, Any]] = None
        self.current_step = 0
        self.done = False
        self.exit_status = ""
        #: The last evaluation a step made (the API's record), for details beyond ``info``.
        self.last_evaluation: Optional[Dict[str, Any]] = None
        self._seen_evaluations: set = set()

    # The interface --------------------------------------------------------------------------

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Starts a fresh session on the task (stopping this env's previous one).

        Returns ``({"observation": None}, info)`` as MLGym does (its agent builds the first
        prompt from the task); ``info`` has ``session`` (the id), ``task`` (the id),
        ``description`` (the task's prompt for the agent) and ``baseline`` (its baseline scores).
        """
        if HAS_GYMNASIUM:
            super().reset(seed=seed)
        options = dict(options or {})
        task = options.pop("task", None) or self.task_id
        if not task:
            raise ValueError("MLGymEnv needs a task: MLGymEnv('prisonersDilemma') or reset(options={'task': ...})")
        self._end_session()
        self.task_id = task
        self.task = self.client.task(task)
        spec = dict(self.session_options)
        spec.update(options)
        spec["task"] = task
        self.session_id = self.client.create_session(**spec)["id"]
        self.current_step = 0
        self.done = False
        self.exit_status = ""
        self.last_evaluation = None
        self._seen_evaluations = set()
        info = {
            "session": self.session_id,
            "task": task,
            "description": self.task.get("description"),
            "baseline": self.task.get("baselineScores"),
        }
        return {"observation": None}, info

    def step(self, action: str) -> Tuple[str, float, bool, StepInfo]:  # type: ignore[override]
        """Runs one action; returns ``(observation, reward, done, info)``."""
        session = self._require_session()
        if self.done:
            raise InvalidState(
                f"the episode on session {session} has ended ({self.exit_status}); call reset() for a new one")
        info = StepInfo()
        self.current_step += 1
        if self.current_step > self.max_steps:
            return self._finish(self._submission("autosubmit", "max_steps", info))
        action = action.strip()
        if action == "skip":
            info["exit_status"] = "skipped"
            return self._finish(("Skipped", 0.0, True, info))
        if action == "exit_forfeit":
            info["exit_status"] = action
            return self._finish((f"Exited ({action})", 0.0, True, info))
        if action in AUTOSUBMIT_ACTIONS:
            return self._finish(self._submission("autosubmit", action, info))
        if _EDIT.search(action) and "end_of_edit" not in action:
            return ("Malformed edit command: end the replacement text with a line `end_of_edit`.", 0.0, False, info)
        if action == "validate":
            return self._validation(info)
        if action == "submit":
            return self._finish(self._submission("submit", "submit", info))

        result = self.client.exec(
            session, action, timeout=self._command_timeout(),
            no_output_timeout=min(self.no_output_timeout, self._command_timeout()))
        observation = result.output + self._timeout_notice(result)
        if _EVALUATING.search(action):
            # The in-sandbox validate/submit tools ran as part of a longer command line: take
            # their evaluations as if they had been the action.
            outcome = self._new_evaluations(info)
            if outcome is not None:
                return self._finish(outcome)
        return observation, 0.0, False, info

    def close(self) -> None:
        """Stops the session (and removes it with ``remove_on_close``)."""
        self._end_session()

    def communicate(self, input: str, timeout_duration: float = 25) -> str:
        """Runs a command that is not a step (no step counted, no evaluation check); returns its output."""
        return self.client.exec(self._require_session(), input, timeout=timeout_duration).output

    def render(self) -> None:  # gymnasium.Env asks for it; there is nothing to draw
        return None

    def evaluations(self) -> Dict[str, Any]:
        """The session's evaluations with bestAttempt and submission (``Client.evaluations``)."""
        return self.client.evaluations(self._require_session())

    def __enter__(self) -> "MLGymEnv":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # Evaluations ----------------------------------------------------------------------------

    def _validation(self, info: StepInfo) -> Tuple[str, float, bool, StepInfo]:
        try:
            evaluation = self.client.evaluate(self._require_session(), "validate")
        except InvalidState as error:
            # Another evaluation runs, or the session has submitted: the agent is told and the
            # episode goes on. A session that has ended raises SessionStopped.
            if isinstance(error, SessionStopped):
                raise
            return f"Error: {error.message}", 0.0, False, info
        self._note(evaluation)
        if evaluation.get("status") == "succeeded":
            info["score"].append(dict(evaluation.get("metrics") or {}))
        return str(evaluation.get("observation", "")), 0.0, False, info

    def _submission(self, kind: str, reason: str, info: StepInfo) -> Tuple[str, float, bool, StepInfo]:
        """A final evaluation (``submit``, or ``autosubmit`` for ``reason``); the episode ends."""
        try:
            evaluation = self.client.evaluate(self._require_session(), kind)
        except InvalidState as error:
            if isinstance(error, SessionStopped):
                raise
            info["exit_status"] = f"{type(error).__name__}, {error.message}, ({reason})"
            return f"Exited ({reason})", 0.0, True, info
        self._note(evaluation)
        self._final_info(evaluation, reason, info)
        return f"Exited ({reason})", 0.0, True, info

    @staticmethod
    def _final_info(evaluation: Dict[str, Any], reason: str, info: StepInfo) -> None:
        status = evaluation.get("status")
        if status == "succeeded":
            info["exit_status"] = "submitted" if reason == "submit" else f"autosubmission ({reason})"
            info["submission"] = evaluation.get("artefactPath")
            info["score"].append(dict(evaluation.get("metrics") or {}))
        elif status == "artefact_missing":
            info["exit_status"] = f"submission_not_found ({reason})"
        elif status == "failed":
            info["exit_status"] = f"evaluation_format_error ({reason})"
        elif status == "timed_out":
            info["exit_status"] = f"evaluation_timeout, ({reason})"
        else:
            info["exit_status"] = f"unknown_error: {evaluation.get('message') or status}, ({reason})"

    def _new_evaluations(self, info: StepInfo) -> Optional[Tuple[str, float, bool, StepInfo]]:
        """Evaluations made since the last step (by the in-sandbox tools); the outcome when one
        of them is a final submission, else ``None`` (validations add to ``score``)."""
        listing = self.client.evaluations(self._require_session())
        outcome = None
        for evaluation in listing.get("evaluations", []):
            if evaluation.get("id") in self._seen_evaluations or evaluation.get("status") == "running":
                continue
            self._note(evaluation)
            kind = evaluation.get("kind")
            if kind == "validate" and evaluation.get("status") == "succeeded":
                info["score"].append(dict(evaluation.get("metrics") or {}))
            elif kind in ("submit", "autosubmit") and evaluation.get("status") != "error":
                reason = "submit" if kind == "submit" else "autosubmit"
                self._final_info(evaluation, reason, info)
                outcome = (f"Exited ({reason})", 0.0, True, info)
        return outcome

    def _note(self, evaluation: Dict[str, Any]) -> None:
        self.last_evaluation = evaluation
        if evaluation.get("id") is not None:
            self._seen_evaluations.add(evaluation["id"])

    # Helpers --------------------------------------------------------------------------------

    def _finish(self, outcome: Tuple[str, float, bool, StepInfo]) -> Tuple[str, float, bool, StepInfo]:
        if outcome[2]:
            self.done = True
            self.exit_status = outcome[3].get("exit_status") or ""
        return outcome

    def _command_timeout(self) -> float:
        if self.command_timeout is not None:
            return float(self.command_timeout)
        return float((self.task or {}).get("trainingTimeout") or 600)

    def _timeout_notice(self, result: ExecResult) -> str:
        if not result.timed_out:
            return ""
        if result.timed_out_without_output:
            limit = int(min(self.no_output_timeout, self._command_timeout()))
            return (f"\nEXECUTION TIMED OUT BECAUSE NO OUTPUT WAS PRODUCED FOR MORE THAN {limit} SECONDS."
                    "\nPLEASE REFINE YOUR RUNNING COMMAND SO IT WILL PRODUCE OUTPUT IN THE SPECIFIED TIME FRAME.")
        return f"\nEXECUTION TIMED OUT BECAUSE THE COMMAND WAS RUNNING FOR MORE THAN {int(self._command_timeout())} SECONDS."

    def _require_session(self) -> str:
        if self.session_id is None:
            raise InvalidState("MLGymEnv has no session: call reset() first")
        return self.session_id

    def _end_session(self) -> None:
        session, self.session_id = self.session_id, None
        if session is None:
            return
        try:
            if self.remove_on_close:
                self.client.remove_session(session, force=True)
            else:
                self.client.stop_session(session)
        except MLGymError:
            pass
