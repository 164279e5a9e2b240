"""The client against a real mlgymd (MLGYM_TEST_SOCKET): sessions, exec plain and streamed,
tasks, a task session with validate, memory, an agent run, and the exceptions a stopped
session and a refused request raise."""

from __future__ import annotations

import os
import time
import unittest

import support
from support import cleanup_session, requires_daemon, unique

from mlgym_client import (
    Client,
    DaemonUnavailable,
    ExecResult,
    InvalidArgument,
    InvalidState,
    MethodNotAllowed,
    NotFound,
    SessionStopped,
    parse_time,
)

TASK = "prisonersDilemma"


@requires_daemon
class DaemonTests(unittest.TestCase):
    def setUp(self) -> None:
        self.api = support.client()

    def start(self, **spec):
        spec.setdefault("name", unique("pyclient"))
        session = self.api.start(**spec)
        cleanup_session(self, self.api, session.id)
        return session

    def test_info(self) -> None:
        info = self.api.info()
        self.assertEqual(info["apiVersion"], "v1")
        self.assertIn("version", info)
        self.assertIsInstance(info["pid"], int)
        self.assertIn("callerUID", info)
        self.assertTrue(self.api.ping())

    def test_a_bare_session_starts_runs_commands_and_stops(self) -> None:
        name = unique("bare")
        created = self.api.create_session(name=name, memory="1G", cpus=1, pids=256)
        cleanup_session(self, self.api, created["id"])
        self.assertEqual((created["name"], created["state"]), (name, "running"))
        self.assertEqual(created["spec"], {"name": name, "memory": "1G", "cpus": 1, "pids": 256})
        parse_time(created["createdAt"])
        self.assertIn(created["id"], [s["id"] for s in self.api.sessions()])
        self.assertEqual(self.api.session(name)["id"], created["id"], "a name works where an id does")

        result = self.api.exec(name, "cd /tmp && echo out && echo err >&2")
        self.assertIsInstance(result, ExecResult)
        self.assertEqual((result.exit_code, result.output, result.timed_out), (0, "out\nerr\n", False))
        self.assertEqual(self.api.exec(name, "pwd").output, "/tmp\n", "the shell keeps its directory")
        self.assertEqual(self.api.exec(name, "X=42").exit_code, 0)
        self.assertEqual(self.api.exec(name, "echo $X; false").output, "42\n")
        self.assertEqual(self.api.exec(name, "exit 3").exit_code, 3)
        self.assertEqual(self.api.exec(name, "echo fresh").output, "fresh\n", "a fresh shell after exit")
        timed = self.api.exec(name, "echo before; sleep 30", timeout=1)
        self.assertEqual((timed.exit_code, timed.timed_out), (124, True))
        self.assertTrue(timed.output.startswith("before\n"), timed.output)

        stopped = self.api.stop_session(name)
        self.assertEqual(stopped["state"], "stopped")
        self.assertEqual(self.api.session(created["id"])["state"], "stopped")
        logs = self.api.logs(created["id"], execs="all")
        self.assertIn("cd /tmp && echo out && echo err >&2", [e["command"] for e in logs["execs"]])
        self.assertEqual([c["to"] for c in logs["stateChanges"]], ["creating", "running", "stopped"])
        self.api.remove_session(created["id"])
        with self.assertRaises(NotFound):
            self.api.session(created["id"])

    def test_the_session_handle_stops_its_session_at_the_end_of_the_block(self) -> None:
        with self.start(memory="1G") as session:
            self.assertEqual(session.state, "running")
            self.assertEqual(session.exec("echo $((6*7))").output, "42\n")
        self.assertEqual(session.refresh()["state"], "stopped")

    def test_streaming_exec_delivers_output_as_it_is_printed(self) -> None:
        session = self.start(memory="1G")
        arrivals = []
        started = time.monotonic()
        events = []
        for event in session.exec_stream("echo one; sleep 1.5; echo two; exit 7"):
            arrivals.append(time.monotonic() - started)
            events.append(event)
        self.assertEqual([e.kind for e in events], ["output", "output", "exit"])
        self.assertEqual([e.text for e in events[:2]], ["one\n", "two\n"])
        self.assertEqual(events[-1].result.exit_code, 7)
        self.assertLess(arrivals[0], arrivals[1] - 1.0, "the first line came before the command ended")

        pieces = []
        result = session.exec("for i in 1 2 3; do echo $i; sleep 0.2; done", on_output=pieces.append)
        self.assertEqual((result.exit_code, result.output, "".join(pieces)), (0, "1\n2\n3\n", "1\n2\n3\n"))
        self.assertEqual(session.exec("echo plain", stream=True).output, "plain\n")

    def test_a_stalled_stream_gets_a_dropped_marker_and_every_other_byte(self) -> None:
        session = self.start(memory="1G")
        total = 48_000_000
        pieces, gaps = [], []

        def slow(text):
            pieces.append(text)
            if len(pieces) == 1:
                time.sleep(10)  # stall: mlgymd holds 4 MiB, waits 2 s for us, then drops the oldest

        result = session.exec(f"echo start; sleep 0.3; head -c {total} /dev/zero | tr '\\0' x; echo; echo END",
                              on_output=slow, on_dropped=gaps.append)
        self.assertEqual(result.exit_code, 0)
        self.assertGreater(sum(gaps), 0, "a client that stalled lost output, and was told")
        self.assertEqual(result.dropped_bytes, sum(gaps))
        received = sum(len(p.encode()) for p in pieces)
        self.assertEqual(received + sum(gaps), len("start\n") + total + len("\nEND\n"))
        self.assertTrue(result.output.endswith("x\nEND\n"))
        self.assertIn("bytes dropped by mlgymd", result.output)

    def test_tasks(self) -> None:
        tasks = {t["id"]: t for t in self.api.tasks()}
        self.assertIn(TASK, tasks)
        task = tasks[TASK]
        self.assertTrue(task["runnable"], task.get("blockers"))
        self.assertEqual((task["metric"], task["direction"]), ("Score", "max"))
        self.assertIsInstance(task["baseline"], float)
        self.assertIn("problems", self.api.task_list())
        shown = self.api.task(TASK)
        self.assertIn("row_strategy", shown["description"])
        with self.assertRaises(NotFound) as caught:
            self.api.task("noSuchTask")
        self.assertEqual(caught.exception.status, 404)
        with self.assertRaises(NotFound):
            self.api.create_session(task="noSuchTask")

    def test_a_task_session_validates_its_artefact(self) -> None:
        session = self.start(task=TASK)
        self.assertEqual(session.task, TASK)
        files = session.exec("ls").output.split()
        self.assertIn("strategy.py", files)
        baseline = self.api.task(TASK)["baseline"]
        evaluation = session.validate()
        self.assertEqual((evaluation["kind"], evaluation["status"]), ("validate", "succeeded"))
        self.assertAlmostEqual(evaluation["metrics"]["Score"], baseline, delta=0.05)
        self.assertIn("Evaluation Score", evaluation["observation"])
        self.assertTrue(evaluation["artefactPath"].endswith("strategy.py"))
        listing = session.evaluations()
        self.assertEqual([e["kind"] for e in listing["evaluations"]], ["validate"])
        self.assertFalse(listing["submitted"])
        self.assertEqual(listing["bestAttempt"], evaluation["metrics"]["Score"])

        session.exec("rm strategy.py")
        missing = session.validate()
        self.assertEqual(missing["status"], "artefact_missing")
        self.assertIn("Submission artefact not found", missing["observation"])
        with self.assertRaises(InvalidState) as bare:
            self.api.validate(self.start(memory="1G").id)  # a session without a task
        self.assertNotIsInstance(bare.exception, SessionStopped)
        self.assertIn("has no task", bare.exception.message)

    def test_a_stopped_session_raises_session_stopped(self) -> None:
        session = self.start(task=TASK)
        session.stop()
        for attempt in (lambda: session.exec("ls"), lambda: list(session.exec_stream("ls")),
                        lambda: session.exec("ls", stream=True), session.validate, session.submit):
            with self.assertRaises(SessionStopped) as caught:
                attempt()
            error = caught.exception
            self.assertIsInstance(error, InvalidState)
            self.assertEqual((error.status, error.code, error.state, error.session), (409, "invalid_state", "stopped", session.id))
            self.assertIn(session.id, error.message)
            self.assertIn("stopped", error.message)
        with self.assertRaises(NotFound):
            self.api.exec(unique("nosuchsession"), "ls")

    def test_refused_requests_raise_clear_exceptions(self) -> None:
        with self.assertRaises(InvalidArgument) as caught:
            self.api.create_session(name=unique("tiny"), memory="1K")
        error = caught.exception
        self.assertEqual((error.status, error.code), (400, "invalid_argument"))
        self.assertIn("memory", error.message)
        with self.assertRaises(InvalidArgument):
            self.api.create_session(name=unique("net"), network="carrier-pigeon")
        with self.assertRaises(InvalidArgument):
            self.api.exec(self.start(memory="1G").id, "ls", timeout=-1)
        with self.assertRaises(InvalidArgument):
            self.api.memory_remove("not-a-number")
        running = self.start(memory="1G")
        with self.assertRaises(InvalidState) as refused:
            self.api.remove_session(running.id)  # running, without force
        self.assertNotIsInstance(refused.exception, SessionStopped)
        self.assertEqual(refused.exception.status, 409)
        with self.assertRaises(MethodNotAllowed):
            self.api._http.request("GET", f"/v1/sessions/{running.id}/stop")
        self.assertEqual(self.api.session(running.id)["state"], "running", "nothing was done")

    def test_a_socket_path_with_no_daemon(self) -> None:
        with self.assertRaises(DaemonUnavailable) as caught:
            Client(support.SOCKET + ".gone").info()
        self.assertIn(support.SOCKET + ".gone", caught.exception.message)

    def test_memory(self) -> None:
        scope = unique("pyclient-scope")
        written = self.api.memory_write("always defecting beats the mixed opponent", scope=scope, tags=["pd"])
        self.addCleanup(lambda: self.api.memory_remove(written["id"]))
        self.assertEqual(written["scope"], scope)
        found = self.api.memory_search("defecting", scope=scope, k=1)
        self.assertEqual([m["entry"]["id"] for m in found["matches"]], [written["id"]])
        listed = self.api.memory_list(scope=scope)
        self.assertEqual([e["id"] for e in listed["entries"]], [written["id"]])
        self.assertIn({"scope": scope, "count": 1}, listed["scopes"])
        self.assertEqual(self.api.memory_export(scope=scope)["texts"], [written["text"]])

    def test_events_tell_a_session_start_and_stop(self) -> None:
        changes = self.api.events(idle_after=60)
        self.assertEqual(next(changes)["event"], "following")
        session = self.start()

        def next_of_session():
            return next(change for change in changes if change.get("id") == session.id or change["event"] == "idle")

        seen = next_of_session()
        self.assertEqual((seen["event"], seen["id"], seen.get("state")), ("session", session.id, "running"))
        session.stop()
        seen = next_of_session()
        self.assertEqual((seen["event"], seen["id"], seen.get("state")), ("session", session.id, "stopped"))
        changes.close()

    def test_an_agent_run_replays_its_actions_and_is_recorded(self) -> None:
        campaign = unique("pyclient-campaign")
        responses = [
            "Look at the workspace.\n```\nls\n```",
            "Always defect.\n```\nprintf 'def row_strategy(history):\\n    return 1\\n' > strategy.py\n```",
            "Submit.\n```\nsubmit\n```",
        ]
        runs = self.api.start_runs(TASK, "replay:pyclient", replay_responses=responses, campaign=campaign,
                                   max_steps=10, network="none")
        self.assertEqual(len(runs), 1)
        run = self.api.wait_run(runs[0]["id"], timeout=300, poll=0.5)
        self.addCleanup(lambda: run.get("session") and self.api.remove_session(run["session"], force=True))
        self.assertEqual((run["state"], run["exitStatus"]), ("finished", "submitted"), run.get("message"))
        self.assertGreater(run["submission"], self.api.task(TASK)["baseline"])
        self.assertEqual([r["id"] for r in self.api.campaign_runs(campaign)], [run["id"]])
        self.assertIn(run["id"], [r["id"] for r in self.api.runs(task=TASK)])
        trajectory = self.api.trajectory(run["id"])
        self.assertEqual([s["action"] for s in trajectory["steps"]][0], "ls")
        self.assertEqual(len(trajectory["steps"]), 3)
        self.assertIn("strategy.py", trajectory["steps"][0]["observation"])
        self.assertTrue(trajectory["systemPrompt"])

    def test_the_search_loop_of_docs_search_md_runs_over_forks(self) -> None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs", "search.md")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        code = text.split("```python\n", 1)[1].split("```", 1)[0]
        namespace: dict = {}
        exec(compile(code, "docs/search.md", "exec"), namespace)
        score, reference = namespace["search"](self.api)
        self.assertGreater(score, self.api.task(TASK)["baseline"])
        best = self.api.fork(reference)
        cleanup_session(self, self.api, best.id)
        cleanup_session(self, self.api, reference.rpartition("@")[0])
        self.assertIn("def row_strategy", best.exec("cat strategy.py").output)
        self.assertAlmostEqual(best.validate()["metrics"]["Score"], score, delta=0.1)

    def test_a_run_that_snapshots_at_validate_forks_from_its_best_attempt(self) -> None:
        responses = [
            "Always defect.\n```\nprintf 'def row_strategy(history):\\n    return 1\\n' > strategy.py\n```",
            "Check.\n```\nvalidate\n```",
            "Always cooperate.\n```\nprintf 'def row_strategy(history):\\n    return 0\\n' > strategy.py\n```",
            "Check.\n```\nvalidate\n```",
            "Submit.\n```\nsubmit\n```",
        ]
        runs = self.api.start_runs(TASK, "replay:pyclient", replay_responses=responses, max_steps=10, network="none",
                                   snapshot_on="validate", keep_sessions=True)
        run = self.api.wait_run(runs[0]["id"], timeout=300, poll=0.5)
        self.addCleanup(lambda: run.get("session") and self.api.remove_session(run["session"], force=True))
        self.assertEqual(run["state"], "finished", run.get("message"))
        taken = self.api.snapshots(run["session"])
        self.assertEqual([s["trigger"] for s in taken], ["validate", "validate"])
        scores = [s["score"] for s in taken]
        self.assertGreater(scores[0], scores[1])  # defecting beats cooperating here
        best = self.api.fork(run["id"] + "@best")
        cleanup_session(self, self.api, best.id)
        self.assertIn("return 1", best.exec("cat strategy.py").output)


if __name__ == "__main__":
    unittest.main()
