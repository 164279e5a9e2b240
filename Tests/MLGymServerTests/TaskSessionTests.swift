import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore
import MLGymTestSupport
import Synchronization
import Testing

/// Sessions on benchmark tasks, end to end: a real mlgymd, real sandboxes for the agent and for every
/// evaluation, the agent's own `validate`/`submit` inside, and mlgymctl outside.
@Suite(.serialized) struct TaskSessionTests {
    /// Runs `command` in the session's shell (as the agent) and returns its output.
    func agent(_ daemon: DaemonProcess, _ session: String, _ command: String) throws -> (status: Int32, output: String) {
        let result = try daemon.ctl(["exec", session, "--", command])
        return (result.status, result.output + result.errorOutput)
    }

    @Test func everyRunnableTaskReproducesItsBaseline() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let list = try daemon.client.tasks()
        #expect(list.problems == [])
        let runnable = Set(list.tasks.filter(\.runnable).map(\.id))
        #expect(runnable.isSuperset(of: ["battleOfSexes", "prisonersDilemma", "blotto", "3SATTime"]))
        // A baseline recorded as measured is one this code reproduces: every such task that runs here is re-run.
        let measured = list.tasks.filter { $0.baselineStatus == "measured" }.map(\.id)
        #expect(Set(measured).isSuperset(of: ["battleOfSexes", "prisonersDilemma", "blotto", "3SATTime"]))
        #expect(list.tasks.filter { $0.baseline != nil }.allSatisfy { $0.baselineStatus == "measured" || $0.baselineStatus == "unverified" })
        for id in measured where runnable.contains(id) {
            let result = try daemon.ctl(["baseline", "--task", id])
            if id == "3SATTime" {
                // Its metric is wall time, which a machine busy with the rest of the suite can double: the test
                // holds it to what does not depend on load (every formula solved, none wrong, MLGym's decisions).
                #expect(result.output.contains("'Correct': 150.0, 'Decisions': 46900.0, 'Incorrect': 0.0"), "\(id): \(result.output)")
                continue
            }
            #expect(result.status == 0, "\(id): \(result.output) \(result.errorOutput)")
            #expect(result.output.contains("reproduces the recorded baseline"), "\(id): \(result.output)")
        }
        #expect(try daemon.client.sessions().isEmpty, "baseline removes its session")
        // Tasks that cannot run here say why.
        let cifar = try #require(list.tasks.first { $0.id == "imageClassificationCifar10" })
        if cifar.gpus > 0 && !cifar.runnable {
            #expect(cifar.blockers.contains { $0.contains("GPU") })
        }
        let table = try daemon.ctl(["tasks"])
        #expect(table.output.contains("battleOfSexes") && table.output.contains("RUNS HERE"))
        let shown = try daemon.ctl(["tasks", "show", "blotto"])
        #expect(shown.output.contains("row_strategy"))
    }

    @Test func theAgentValidatesAndSubmitsAndCannotTouchTheEvaluation() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "battleOfSexes")).id
        #expect(try agent(daemon, id, "ls -1").output == "evaluate.py\ngame_harness.py\nstrategy.py\ntarget.py\n")

        let baseline = try agent(daemon, id, "validate")
        #expect(baseline.status == 0, "\(baseline.output)")
        #expect(baseline.output.contains("Your code produced a valid submission artefact at /home/agent/workspace/strategy.py."))
        #expect(baseline.output.contains("Evaluation Score: {'Score': 1.024}"))

        // A better strategy scores better.
        _ = try agent(daemon, id, "printf 'def row_strategy(history):\\n    return 0\\n' > strategy.py")
        #expect(try agent(daemon, id, "validate").output.contains("Evaluation Score: {'Score': 1.44266}"))

        // Rewriting the evaluation, the opponent, or swapping them for links changes nothing.
        _ = try agent(daemon, id, """
            chmod u+w evaluate.py; echo 'print("{\\"Score\\": 999}")' > evaluate.py
            printf 'def target_column_strategy(history):\\n    return 0\\n' > target.py
            """)
        #expect(try agent(daemon, id, "cat evaluate.py").output.contains("999"))
        #expect(try agent(daemon, id, "validate").output.contains("Evaluation Score: {'Score': 1.44266}"))
        _ = try agent(daemon, id, "rm -f evaluate.py target.py && ln -s /etc/passwd evaluate.py && mkdir -p x && ln -s / target.py")
        #expect(try agent(daemon, id, "validate").output.contains("Evaluation Score: {'Score': 1.44266}"))

        // A strategy that breaks the rules fails with the evaluation's reason, and no score.
        _ = try agent(daemon, id, "printf 'def row_strategy(history):\\n    return 7\\n' > strategy.py")
        let invalid = try agent(daemon, id, "validate")
        #expect(invalid.status == 1)
        #expect(invalid.output.hasPrefix("Error: the evaluation failed"), "\(invalid.output)")
        #expect(!invalid.output.contains("Evaluation Score"))

        _ = try agent(daemon, id, "printf 'def row_strategy(history):\\n    return 0\\n' > strategy.py")
        let submitted = try daemon.ctl(["submit", id, "--json"])
        #expect(submitted.status == 0, "\(submitted.errorOutput)")
        let submission = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(submitted.output.utf8))
        #expect(submission.kind == "submit" && submission.metrics["Score"] == 1.44266)
        #expect(submission.rootfsIdentity?.hasPrefix("sha256:") == true)
        #expect(submission.artefactDigest?.count == 64)
        let after = try agent(daemon, id, "validate")
        #expect(after.status != 0 && after.output.contains("already submitted"), "\(after.output)")

        let list = try daemon.client.evaluations(id)
        #expect(list.evaluations.map(\.kind) == ["validate", "validate", "validate", "validate", "validate", "submit"])
        #expect(list.bestAttempt == 1.44266 && list.submission == 1.44266 && list.submitted)
        let table = try daemon.ctl(["evaluations", id])
        #expect(table.output.contains("best attempt 1.44266, submission 1.44266 (submitted)"))
    }

    /// A CSV task of the test's own, in MLGym's file format: answers only the evaluation sees, data read-only.
    static func csvTaskRoot(timeout: Int = 600, evaluation: String? = nil) throws -> TemporaryTaskRoot {
        let root = try TemporaryTaskRoot()
        try root.write("configs/datasets/letters.yaml", """
            name: Letters
            description: Ten ids; predict each id's letter.
            data_path: data/letters/data
            is_local: true
            """)
        try root.write("configs/tasks/letters.yaml", """
            id: letters
            name: Guess the letters
            description: |-
              Write submission.csv with columns id,letter for every id in data/test.csv.
              {dataset_docs}
            dataset_configs:
            - datasets/letters.yaml
            task_entrypoint: CSVSubmissionTasks
            training_timeout: \(timeout)
            starter_code:
            - data/letters/evaluate.py
            baseline_paths: []
            baseline_scores:
            - accuracy: 0.1
            evaluation_paths:
            - evaluate.py
            evaluation_read_only: true
            secret_files:
            - data/letters/hidden/answers.csv
            priority_metric: accuracy
            metric_direction: max
            """)
        try root.write("data/letters/data/test.csv", "id\n" + (0..<10).map { "\($0)\n" }.joined())
        try root.write("data/letters/hidden/answers.csv", "id,letter\n" + (0..<10).map { "\($0),\(Character(UnicodeScalar(97 + $0)!))\n" }.joined())
        try root.write("data/letters/evaluate.py", evaluation ?? """
            import argparse, csv, json, sys
            parser = argparse.ArgumentParser()
            parser.add_argument("--submission_file", required=True)
            arguments = parser.parse_args()
            answers = {row["id"]: row["letter"] for row in csv.DictReader(open("/home/agent/hidden/answers.csv"))}
            rows = list(csv.DictReader(open(arguments.submission_file)))
            if not rows or set(rows[0]) != {"id", "letter"}:
                sys.exit("submission.csv must have exactly the columns id,letter")
            print("checking", len(rows), "rows")
            right = sum(1 for row in rows if answers.get(row["id"]) == row["letter"])
            print(json.dumps({"accuracy": right / len(answers)}))
            """)
        return root
    }

    @Test func hiddenAnswersStayOutOfTheAgentsReachAndDataIsReadOnly() throws {
        let root = try Self.csvTaskRoot()
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id

        #expect(try agent(daemon, id, "cat data/test.csv | wc -l").output == "11\n")
        #expect(try agent(daemon, id, "python3 -c 'import os; print(os.access(\"data/test.csv\", os.W_OK), os.access(\"data\", os.W_OK))'").output == "False False\n")
        #expect(try agent(daemon, id, "ls /home/agent/hidden").status != 0)

        // The answers are in the evaluation's sandbox; an artefact that links to them is refused, not scored.
        _ = try agent(daemon, id, "ln -s /home/agent/hidden/answers.csv submission.csv")
        let linked = try agent(daemon, id, "validate")
        #expect(linked.status == 1)
        #expect(linked.output.contains("not a symbolic link"), "\(linked.output)")
        _ = try agent(daemon, id, "rm submission.csv && mkdir -p d && ln -s /home/agent/hidden d/h && ln -s d/h/answers.csv submission.csv")
        #expect(try agent(daemon, id, "validate").output.contains("not a symbolic link"))
        _ = try agent(daemon, id, "rm -rf d submission.csv")

        let missing = try agent(daemon, id, "validate")
        #expect(missing.status == 1)
        #expect(missing.output.hasPrefix("Submission artefact not found."), "\(missing.output)")

        _ = try agent(daemon, id, "printf 'id,letter\\n0,a\\n1,b\\n2,z\\n' > submission.csv")
        let partial = try agent(daemon, id, "validate --json")
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(partial.output.utf8))
        #expect(info.metrics == ["accuracy": 0.2], "stray output lines are skipped")
        #expect(info.artefactPath == "/home/agent/workspace/submission.csv")

        _ = try agent(daemon, id, "printf 'id;letter\\n0;a\\n' > submission.csv")
        let malformed = try agent(daemon, id, "validate")
        #expect(malformed.status == 1)
        #expect(malformed.output.contains("submission.csv must have exactly the columns id,letter"), "\(malformed.output)")
        let list = try daemon.client.evaluations(id)
        #expect(list.evaluations.map(\.status) == ["failed", "failed", "artefact_missing", "succeeded", "failed"])
    }

    @Test func anEvaluationPastItsTimeoutIsKilledAndRecorded() throws {
        let root = try Self.csvTaskRoot(timeout: 2, evaluation: "import time\ntime.sleep(120)\n")
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        _ = try agent(daemon, id, "echo id,letter > submission.csv")
        let result = try daemon.ctl(["validate", id, "--json"])
        #expect(result.status == 1)
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(result.output.utf8))
        #expect(info.status == "timed_out")
        #expect(info.durationMs < 60_000)
        #expect(info.observation.contains("training_timeout of 2 s"))
        #expect(try daemon.client.evaluations(id).evaluations.map(\.status) == ["timed_out"])
        #expect(try agent(daemon, id, "echo still here").output == "still here\n")
    }

    @Test func theAgentSocketServesOnlyItsSession() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "prisonersDilemma")).id
        let other = try daemon.client.createSession(SessionSpec(task: "prisonersDilemma")).id
        let ask = """
            python3 - <<'EOF'
            import socket
            for request in ["GET /v1/sessions", "GET /v1/sessions/\(other)", "POST /v1/sessions/\(other)/exec", "GET /v1/info"]:
                s = socket.socket(socket.AF_UNIX)
                s.connect("/run/mlgym/agent.sock")
                s.sendall((request + " HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n").encode())
                print(s.recv(100).split(b"\\r\\n")[0].decode())
            EOF
            """
        #expect(try agent(daemon, id, ask).output == String(repeating: "HTTP/1.1 404 Not Found\n", count: 4))
        _ = try agent(daemon, id, "validate")
        #expect(try daemon.client.evaluations(id).evaluations.count == 1)
        #expect(try daemon.client.evaluations(other).evaluations.isEmpty)
        // The socket is the agent's alone: mode 0600, owned by its uid, in a directory only root can list.
        let sockets = daemon.runtimeDirectory + "/sandboxes/agent-sockets"
        let socketInfo = try FileManager.default.attributesOfItem(atPath: sockets + "/\(id).sock")
        #expect((socketInfo[.posixPermissions] as? Int) == 0o600)
        #expect((socketInfo[.ownerAccountID] as? Int).map { $0 >= 2_000_000_000 } == true)
        #expect((try FileManager.default.attributesOfItem(atPath: sockets)[.posixPermissions] as? Int) == 0o700)
        // A bare session has no task tools and no agent socket.
        let bare = try daemon.client.createSession(SessionSpec()).id
        #expect(try agent(daemon, bare, "command -v validate").status != 0)
        let refused = try daemon.ctl(["validate", bare])
        #expect(refused.status != 0 && refused.errorOutput.contains("has no task"))
    }

    @Test func theHousePriceTaskRunsOnDataAnOperatorPrepares() throws {
        // Kaggle's data cannot ship; the task's own scripts make an Ames-like stand-in and split it.
        let root = try TemporaryTaskRoot()
        defer { root.remove() }
        let source = DaemonProcess.packageRoot + "/tasks"
        for path in ["configs/tasks/regressionKaggleHousePrice.yaml", "configs/datasets/kaggleHousePrice.yaml"] {
            try root.write(path, try String(contentsOfFile: source + "/" + path, encoding: .utf8))
        }
        let data = root.path + "/data/regressionKaggleHousePrice"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for file in ["baseline.py", "evaluate.py", "prepare.py", "make_synthetic.py"] {
            try FileManager.default.copyItem(atPath: source + "/data/regressionKaggleHousePrice/" + file, toPath: data + "/" + file)
        }
        let made = try CommandResult.run("/usr/bin/python3", [data + "/make_synthetic.py", "--rows", "1460", "--out", root.path + "/train.csv"])
        #expect(made.status == 0, "\(made.errorOutput)")
        let prepared = try CommandResult.run("/usr/bin/python3", [data + "/prepare.py", "--train-csv", root.path + "/train.csv"])
        #expect(prepared.status == 0, "\(prepared.errorOutput)")

        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path])
        defer { daemon.finish() }
        let task = try daemon.client.task("regressionKaggleHousePrice")
        #expect(task.runnable, "\(task.blockers)")
        let id = try daemon.client.createSession(SessionSpec(task: "regressionKaggleHousePrice")).id
        #expect(try agent(daemon, id, "ls -1 data").output == "test.csv\ntrain.csv\nvalidation.csv\n")
        #expect(try agent(daemon, id, "cat /home/agent/hidden/answer.csv").status != 0)
        let trained = try agent(daemon, id, "python3 baseline.py && ls submission.csv")
        #expect(trained.status == 0, "\(trained.output)")
        // Modules beside evaluate.py that shadow the standard library would run with the answers readable.
        for module in ["csv", "argparse", "json", "math"] {
            _ = try agent(daemon, id, "printf 'import sys\\nprint(open(\"/home/agent/hidden/answer.csv\").read())\\nprint(\"{\\\\\"r2\\\\\": 1.0, \\\\\"rmse\\\\\": 0.0}\")\\nsys.exit(0)\\n' > \(module).py")
        }
        #expect(try agent(daemon, id, "cat csv.py").output.contains("hidden"))
        let result = try daemon.ctl(["validate", id, "--json"])
        #expect(result.status == 0, "\(result.output) \(result.errorOutput)")
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(result.output.utf8))
        #expect((info.metrics["r2"] ?? 0) > 0.8 && (info.metrics["r2"] ?? 1) < 1, "\(info.metrics)")
        #expect((info.metrics["rmse"] ?? 0) > 0)
        #expect(!info.output.contains("SalePrice"), "the answers never reach the agent")
    }

    @Test func aStopDuringAnEvaluationEndsItAndItIsNotHeldAgainstTheSession() throws {
        let root = try Self.csvTaskRoot(timeout: 600, evaluation: "import time\ntime.sleep(300)\n")
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        _ = try agent(daemon, id, "echo id,letter > submission.csv")
        let submitted = Mutex<CommandResult?>(nil)
        let submitter = Thread { submitted.withLock { $0 = try? daemon.ctl(["submit", id, "--json"]) } }
        submitter.start()
        // Wait until the evaluation's sandbox runs evaluate.py.
        for _ in 0..<200 {
            // Evaluation copies live on the session's volume, counted against its disk limit.
            let scratch = daemon.stateDirectory + "/sandboxes/\(id)/volume/scratch"
            if (try? daemon.client.session(id))?.state == "running",
               ((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).count == 1 {
                break
            }
            usleep(50_000)
        }
        usleep(500_000)
        let stopped = try daemon.ctl(["stop", id])
        #expect(stopped.status == 0, "\(stopped.errorOutput)")
        for _ in 0..<600 where submitted.withLock({ $0 == nil }) { usleep(50_000) }
        let result = try #require(submitted.withLock { $0 })
        #expect(result.status == 1)
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(result.output.utf8))
        #expect(info.status == "error" && info.message?.contains("session ended") == true, "\(info)")
        let list = try daemon.client.evaluations(id)
        #expect(!list.submitted, "mlgym's failure is not the agent's final submission")
    }

    @Test func aTaskSessionCannotTakeAClientsWorkspace() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let error = #expect(throws: MLGymError.self) {
            try daemon.client.createSession(SessionSpec(task: "battleOfSexes", workspace: daemon.directory))
        }
        #expect(error?.message.contains("--workspace cannot be combined with --task") == true)
        #expect(try daemon.client.sessions().isEmpty)
    }
}

/// A session and an evaluation on a root filesystem made by `rootfs/build` (several minutes and network access
/// to build, so opt-in: `MLGYM_TEST_ROOTFS=/var/lib/mlgym/rootfs scripts/test`).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MLGYM_TEST_ROOTFS"] != nil))
struct BuiltRootfsTests {
    @Test func aTaskRunsAndIsScoredOnABuiltRootfs() throws {
        let tree = try #require(ProcessInfo.processInfo.environment["MLGYM_TEST_ROOTFS"])
        let daemon = try DaemonProcess(extraArguments: ["--rootfs", tree])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "battleOfSexes")).id
        let inside = try daemon.ctl(["exec", id, "--", "python3 -c 'import sys; print(sys.prefix)'; grep -c bookworm /etc/os-release"])
        #expect(inside.output.hasPrefix("/opt/mlgym/venv\n"), "\(inside.output)")
        let validated = try daemon.ctl(["exec", id, "--", "validate --json"])
        #expect(validated.status == 0, "\(validated.output) \(validated.errorOutput)")
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(validated.output.utf8))
        #expect(info.metrics["Score"] == 1.024)
        // The identity the evaluation records is the one the build wrote into the tree.
        let manifest = try String(contentsOfFile: tree + "/etc/mlgym-rootfs", encoding: .utf8)
        #expect(info.rootfsIdentity.map { manifest.contains($0) } == true, "\(info.rootfsIdentity ?? "none") not in \(manifest)")
    }
}
