"""The client against fake daemons: exactly what goes on the wire, how answers and failures
become exceptions, and a daemon that is gone or dies mid-request. No real mlgymd needed."""

from __future__ import annotations

import os
import socket
import tempfile
import time
import unittest
from unittest import mock

from support import FakeDaemon, chunk, response, routes  # also puts src/ on sys.path

import mlgym_client
from mlgym_client import (
    Client,
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
    parse_time,
)
from mlgym_client.env import HAS_GYMNASIUM, MLGymEnv, StepInfo
from mlgym_client.errors import error_for

SESSION = {
    "id": "9159f8486dbb", "name": "demo", "owner": 0, "state": "running", "reason": "started",
    "createdAt": "2026-11-28T05:25:38.516Z", "updatedAt": "2026-11-28T05:25:38.690Z", "spec": {"name": "demo"},
}


class ErrorMappingTests(unittest.TestCase):
    def test_codes_and_statuses_map_to_classes(self) -> None:
        cases = [
            (400, "invalid_argument", InvalidArgument), (400, "parse", InvalidArgument),
            (400, "unsupported", InvalidArgument), (403, "permission_denied", PermissionDenied),
            (404, "not_found", NotFound), (405, "method_not_allowed", MethodNotAllowed),
            (409, "invalid_state", InvalidState), (413, "payload_too_large", PayloadTooLarge),
            (429, "limit_exceeded", LimitExceeded), (500, "system", DaemonError),
            (409, None, InvalidState), (502, None, DaemonError), (418, "teapot", MLGymError),
        ]
        for status, code, cls in cases:
            error = error_for(status, code, "what happened")
            self.assertIs(type(error), cls, (status, code))
            self.assertEqual(error.status, status)
            self.assertEqual(error.message, "what happened")
            self.assertEqual(str(error), "what happened")
            self.assertTrue(error.code)
        self.assertTrue(issubclass(SessionStopped, InvalidState))
        self.assertTrue(issubclass(DaemonUnavailable, MLGymError))

    def test_the_daemons_error_body_becomes_the_exception(self) -> None:
        table = {
            ("POST", "/v1/sessions"): (400, {"error": {"code": "invalid_argument", "message": "memory limit 1024 bytes is below the 4M minimum"}}),
            ("GET", "/v1/sessions/x"): (403, {"error": {"code": "permission_denied", "message": "session x is uid 1000's"}}),
            ("GET", "/v1/info"): (500, b"<html>not json</html>"),
        }
        with FakeDaemon(routes(table)) as fake:
            api = Client(fake.path)
            with self.assertRaises(InvalidArgument) as caught:
                api.create_session(memory="1K")
            self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_argument"))
            self.assertIn("memory limit", caught.exception.message)
            with self.assertRaises(PermissionDenied) as denied:
                api.session("x")
            self.assertEqual(denied.exception.status, 403)
            with self.assertRaises(DaemonError) as broken:
                api.info()
            self.assertEqual(broken.exception.status, 500)
            self.assertIn("HTTP 500", broken.exception.message)
            with self.assertRaises(NotFound):
                api.run("nope")


class WireTests(unittest.TestCase):
    """Paths, methods and JSON field names as the API (Sources/MLGymAPI) spells them."""

    def test_requests_use_the_apis_paths_methods_and_camel_case_fields(self) -> None:
        evaluation = {"id": 1, "kind": "validate", "status": "succeeded", "metrics": {"Score": 2.6}, "observation": "ok"}
        run = {"id": "r1", "state": "queued"}
        table = {
            ("POST", "/v1/sessions"): (201, SESSION),
            ("GET", "/v1/sessions"): (200, {"sessions": [SESSION]}),
            ("GET", "/v1/sessions/a%2Fb%20c"): (200, SESSION),
            ("POST", "/v1/sessions/demo/stop"): (200, dict(SESSION, state="stopped")),
            ("DELETE", "/v1/sessions/demo"): (204, None),
            ("GET", "/v1/sessions/demo/logs"): (200, {"stateChanges": [], "events": [], "execs": []}),
            ("POST", "/v1/sessions/demo/exec"): (200, {"durationMs": 3, "exitCode": 0, "output": "0\n", "timedOut": False, "truncated": False}),
            ("POST", "/v1/sessions/demo/evaluations"): (201, evaluation),
            ("GET", "/v1/sessions/demo/evaluations"): (200, {"evaluations": [evaluation], "submitted": False}),
            ("GET", "/v1/tasks"): (200, {"tasks": [{"id": "t"}], "problems": [], "rootfsIdentity": None}),
            ("GET", "/v1/tasks/prisonersDilemma"): (200, {"id": "prisonersDilemma"}),
            ("POST", "/v1/memory"): (201, {"id": 7}),
            ("POST", "/v1/memory/search"): (200, {"matches": []}),
            ("GET", "/v1/memory"): (200, {"entries": []}),
            ("DELETE", "/v1/memory/7"): (200, {"removed": 1}),
            ("GET", "/v1/memory/export"): (200, {"texts": []}),
            ("POST", "/v1/memory/import"): (201, {"imported": 2}),
            ("POST", "/v1/literature/search"): (200, {"papers": []}),
            ("POST", "/v1/literature/pdf"): (200, {"text": ""}),
            ("POST", "/v1/runs"): (201, {"runs": [run]}),
            ("GET", "/v1/runs"): (200, {"runs": [run]}),
            ("GET", "/v1/runs/r1"): (200, run),
            ("GET", "/v1/runs/r1/trajectory"): (200, {"run": run, "steps": []}),
            ("POST", "/v1/runs/r1/stop"): (200, run),
            ("POST", "/v1/runs/r1/resume"): (200, run),
            ("POST", "/v1/runs/r1/input"): (204, None),
        }
        with FakeDaemon(routes(table)) as fake:
            api = Client(fake.path)
            sent = lambda: fake.requests[-1]  # noqa: E731

            api.create_session(name="demo", task="prisonersDilemma", memory="2G", cpus=0.5, pids=64, gpus="none",
                               network="packages", workspace="/w", disk="10G", wall_time=60, memory_scope="s",
                               agent_memory=True, agent_literature=False)
            self.assertEqual((sent().method, sent().target), ("POST", "/v1/sessions"))
            self.assertEqual(sent().json, {
                "name": "demo", "task": "prisonersDilemma", "memory": "2G", "cpus": 0.5, "pids": 64, "gpus": "none",
                "network": "packages", "workspace": "/w", "disk": "10G", "wallTime": 60, "memoryScope": "s",
                "agentMemory": True, "agentLiterature": False})
            self.assertEqual(sent().headers.get("content-type"), "application/json")
            api.create_session()
            self.assertEqual(sent().body, b"{}", "the daemon needs a JSON body even for a session with defaults")
            self.assertEqual(api.sessions()[0]["id"], SESSION["id"])
            api.session("a/b c")
            self.assertEqual(sent().target, "/v1/sessions/a%2Fb%20c")
            self.assertEqual(api.stop_session("demo")["state"], "stopped")
            self.assertEqual((sent().method, sent().target), ("POST", "/v1/sessions/demo/stop"))
            self.assertIsNone(api.remove_session("demo"))
            self.assertEqual((sent().method, sent().target), ("DELETE", "/v1/sessions/demo"))
            api.remove_session("demo", force=True)
            self.assertEqual(sent().target, "/v1/sessions/demo?force=true")
            api.logs("demo", execs="all")
            self.assertEqual(sent().target, "/v1/sessions/demo/logs?execs=all")

            result = api.exec("demo", "cd /tmp; ls | wc -l", timeout=5, no_output_timeout=2)
            self.assertEqual(sent().json, {"command": "cd /tmp; ls | wc -l", "timeout": 5, "noOutputTimeout": 2})
            self.assertEqual((result.exit_code, result.output, result.timed_out, result.duration_ms), (0, "0\n", False, 3))
            api.exec("demo", "true")
            self.assertEqual(sent().json, {"command": "true"})

            self.assertEqual(api.validate("demo")["metrics"], {"Score": 2.6})
            self.assertEqual((sent().target, sent().json), ("/v1/sessions/demo/evaluations", {"kind": "validate"}))
            api.submit("demo")
            self.assertEqual(sent().json, {"kind": "submit"})
            api.evaluations("demo")
            self.assertEqual((sent().method, sent().target), ("GET", "/v1/sessions/demo/evaluations"))
            self.assertEqual(api.tasks(), [{"id": "t"}])
            api.task("prisonersDilemma")
            self.assertEqual(sent().target, "/v1/tasks/prisonersDilemma")

            api.memory_write("a note", scope="s", tags=["x"])
            self.assertEqual(sent().json, {"scope": "s", "text": "a note", "tags": ["x"]})
            api.memory_search("note", task="t", k=2, mode="lexical")
            self.assertEqual(sent().json, {"task": "t", "query": "note", "k": 2, "mode": "lexical"})
            api.memory_list(scope="task:t")
            self.assertEqual(sent().target, "/v1/memory?scope=task%3At")
            api.memory_remove(7)
            self.assertEqual((sent().method, sent().target), ("DELETE", "/v1/memory/7"))
            api.memory_export(task="t")
            self.assertEqual(sent().target, "/v1/memory/export?task=t")
            api.memory_import(["a", "b"], scope="s", tags=[["x"], ["y"]])
            self.assertEqual(sent().json, {"scope": "s", "texts": ["a", "b"], "tags": [["x"], ["y"]]})
            api.literature_search("grpo", limit=3)
            self.assertEqual(sent().json, {"query": "grpo", "limit": 3})
            api.pdf_text(document=b"%PDF", max_pages=2)
            self.assertEqual(sent().json, {"document": "JVBERg==", "maxPages": 2})

            runs = api.start_runs("prisonersDilemma", "replay:demo", replay_responses=("a", "b"), max_steps=5,
                                  cost_limit=0, api_base="http://x/v1", top_p=0.9, keep_sessions=True,
                                  price=(1, 2), campaign="c1", network="none", time_limit=60, first_seed=3,
                                  profile="parity", extra={"futureField": 1})
            self.assertEqual(runs, [run])
            self.assertEqual(sent().json, {
                "task": "prisonersDilemma", "model": "replay:demo", "replayResponses": ["a", "b"], "maxSteps": 5,
                "costLimit": 0, "apiBase": "http://x/v1", "topP": 0.9, "keepSessions": True,
                "price": {"inputPerMillion": 1.0, "outputPerMillion": 2.0}, "campaign": "c1", "network": "none",
                "timeLimit": 60, "firstSeed": 3, "profile": "parity", "futureField": 1})
            with self.assertRaises(TypeError):
                api.start_runs("t", "human", maxSteps=3)
            api.campaign_runs("c 1")
            self.assertEqual(sent().target, "/v1/runs?campaign=c+1")
            api.runs(task="t", model="human")
            self.assertEqual(sent().target, "/v1/runs?task=t&model=human")
            api.run("r1")
            api.trajectory("r1")
            self.assertEqual(sent().target, "/v1/runs/r1/trajectory")
            api.stop_run("r1")
            self.assertEqual((sent().method, sent().target), ("POST", "/v1/runs/r1/stop"))
            api.resume_run("r1", api_key="k")
            self.assertEqual(sent().json, {"apiKey": "k"})
            api.run_input("r1", "ls")
            self.assertEqual(sent().json, {"action": "ls"})

    def test_dates_parse(self) -> None:
        moment = parse_time("2026-11-28T05:25:38.516Z")
        self.assertEqual((moment.year, moment.second, moment.microsecond), (2026, 38, 516000))
        self.assertEqual(moment.utcoffset().total_seconds(), 0)

    def test_the_socket_comes_from_the_argument_then_mlgym_socket(self) -> None:
        with mock.patch.dict(os.environ, {"MLGYM_SOCKET": "/tmp/elsewhere.sock"}):
            self.assertEqual(Client().socket_path, "/tmp/elsewhere.sock")
            self.assertEqual(Client("/tmp/given.sock").socket_path, "/tmp/given.sock")
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(Client().socket_path, "/run/mlgym/mlgymd.sock")
            self.assertEqual(mlgym_client.default_socket_path(), mlgym_client.DEFAULT_SOCKET)


class StreamTests(unittest.TestCase):
    def stream_handler(self, lines, end=b"0\r\n\r\n"):
        def handle(conn, request):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
            for line in lines:
                conn.sendall(chunk(line))
            if end:
                conn.sendall(end)
        return handle

    def test_output_dropped_and_exit_lines(self) -> None:
        lines = [b'{"output":"1\\n"}\n', b'{"dropped":4096}\n', b'{"output":"2\\n"}\n',
                 b'{"exit":{"durationMs":30,"exitCode":3,"timedOut":false,"truncated":false}}\n']
        with FakeDaemon(self.stream_handler(lines)) as fake:
            api = Client(fake.path)
            events = list(api.exec_stream("s", "run"))
            self.assertEqual(fake.requests[-1].target, "/v1/sessions/s/exec?stream=true")
            self.assertEqual(fake.requests[-1].headers.get("accept"), "application/x-ndjson")
            self.assertEqual([e.kind for e in events], ["output", "dropped", "output", "exit"])
            self.assertEqual(events[1].dropped, 4096)
            self.assertEqual((events[-1].result.exit_code, events[-1].result.dropped_bytes), (3, 4096))
            pieces, gaps = [], []
            result = api.exec("s", "run", on_output=pieces.append, on_dropped=gaps.append)
            self.assertEqual((pieces, gaps, result.exit_code), (["1\n", "2\n"], [4096], 3))
            self.assertEqual(result.output, "1\n\n[... 4096 bytes dropped by mlgymd: this client read too slowly ...]\n2\n")

    def test_an_error_line_raises_its_exception(self) -> None:
        lines = [b'{"output":"x"}\n', b'{"error":{"code":"system","message":"mlgymd is stopping"}}\n']
        with FakeDaemon(self.stream_handler(lines)) as fake:
            with self.assertRaises(DaemonError) as caught:
                Client(fake.path).exec("s", "run", stream=True)
            self.assertIn("mlgymd is stopping", caught.exception.message)

    def test_a_stream_cut_before_its_result_means_the_daemon_died(self) -> None:
        for end in (b"", b"0\r\n\r\n"):
            with self.subTest(clean_end=bool(end)):
                with FakeDaemon(self.stream_handler([b'{"output":"partial\\n"}\n'], end=end)) as fake:
                    seen = []
                    with self.assertRaises(DaemonUnavailable) as caught:
                        Client(fake.path).exec("s", "run", on_output=seen.append)
                    self.assertEqual(seen, ["partial\n"], "what came before the cut is delivered")
                    self.assertIn(fake.path, caught.exception.message)
                    self.assertIsNone(caught.exception.status)

    def test_an_error_before_the_stream_is_an_ordinary_error(self) -> None:
        table = {("POST", "/v1/sessions/s/exec"): (404, {"error": {"code": "not_found", "message": "no session 's'"}})}
        with FakeDaemon(routes(table)) as fake:
            with self.assertRaises(NotFound):
                list(Client(fake.path).exec_stream("s", "ls"))


class DeadDaemonTests(unittest.TestCase):
    def test_no_socket_at_the_path(self) -> None:
        path = os.path.join(tempfile.gettempdir(), "mlgym-client-no-such-dir", "mlgymd.sock")
        with self.assertRaises(DaemonUnavailable) as caught:
            Client(path).info()
        error = caught.exception
        self.assertEqual((error.code, error.status, error.socket_path), ("unavailable", None, path))
        self.assertIn(f"no socket at {path}", error.message)
        self.assertIn("MLGYM_SOCKET", error.message, "the message says what to do")
        self.assertIn("systemctl start mlgymd", error.message)

    def test_a_socket_whose_server_has_closed(self) -> None:
        directory = tempfile.mkdtemp(prefix="mlgym-client-test-")
        path = os.path.join(directory, "mlgymd.sock")
        self.addCleanup(lambda: (os.path.exists(path) and os.unlink(path), os.rmdir(directory)))
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        server.close()  # the file stays; nothing listens: what a crashed daemon leaves
        with self.assertRaises(DaemonUnavailable) as caught:
            Client(path).sessions()
        self.assertIn(f"nothing accepts connections on {path}", caught.exception.message)
        self.assertIn("restart", caught.exception.message)

    def test_the_daemon_dies_before_answering(self) -> None:
        with FakeDaemon(lambda conn, request: None) as fake:  # reads the request, closes without a word
            with self.assertRaises(DaemonUnavailable) as caught:
                Client(fake.path).exec("s", "sleep 100")
            self.assertIn(fake.path, caught.exception.message)
            self.assertIn("POST /v1/sessions/s/exec", caught.exception.message)
            self.assertIn("stopped or crashed", caught.exception.message)

    def test_the_daemon_dies_in_the_middle_of_its_answer(self) -> None:
        def half(conn, request):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sessions\":")
        with FakeDaemon(half) as fake:
            with self.assertRaises(DaemonUnavailable) as caught:
                Client(fake.path).sessions()
            self.assertIn("closed the connection", caught.exception.message)

    def test_an_answer_that_is_not_json(self) -> None:
        with FakeDaemon(lambda conn, request: conn.sendall(response(200, b"hello"))) as fake:
            with self.assertRaises(ProtocolError):
                Client(fake.path).info()

    def test_a_daemon_that_never_answers_hits_the_clients_timeout(self) -> None:
        with FakeDaemon(lambda conn, request: time.sleep(1.5)) as fake:
            with self.assertRaises(DaemonUnavailable) as caught:
                Client(fake.path, timeout=0.3).info()
            self.assertIn("no answer within 0.3 s", caught.exception.message)


class EnvShapeTests(unittest.TestCase):
    def test_step_info_has_mlgyms_keys_and_reads_missing_keys_as_none(self) -> None:
        info = StepInfo()
        self.assertEqual(set(info), {"model_stats", "exit_status", "submission", "score", "summarizer"})
        self.assertEqual((info["exit_status"], info["submission"], info["score"]), ("", None, []))
        self.assertIsNone(info["anything"])
        info.exit_status = "submitted"
        self.assertEqual(info["exit_status"], "submitted")
        self.assertEqual(info.score, [])

    def test_the_env_is_a_gymnasium_env_exactly_when_gymnasium_is_installed(self) -> None:
        env = MLGymEnv("prisonersDilemma", socket_path="/nonexistent/mlgymd.sock")
        try:
            import gymnasium
        except ImportError:
            self.assertFalse(HAS_GYMNASIUM)
        else:
            self.assertTrue(HAS_GYMNASIUM)
            self.assertIsInstance(env, gymnasium.Env)
        with self.assertRaises(InvalidState):
            env.step("ls")  # no reset yet
        with self.assertRaises(DaemonUnavailable):
            env.reset()
        env.close()  # nothing to stop: no error


if __name__ == "__main__":
    unittest.main()
