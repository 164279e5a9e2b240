import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Synchronization
import Testing

/// mlgymd killed with SIGKILL in each phase of its work, then started again: nothing of the dead daemon's
/// sandboxes is left on the host (processes, mounts, loop devices, cgroups, volumes, evaluation copies), the
/// database passes SQLite's integrity check, and everything committed before the kill is still there.
@Suite(.serialized) struct FaultTests {
    /// A daemon with a cgroup parent of its own, so the leftover check sees only its sandboxes.
    struct Subject {
        let daemon: DaemonProcess
        let cgroupParent: String
        let taskRoot: TemporaryTaskRoot

        init(evaluation: String? = nil) throws {
            cgroupParent = "mlgym-fault-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            taskRoot = try TaskSessionTests.csvTaskRoot(evaluation: evaluation)
            daemon = try DaemonProcess(extraArguments: ["--tasks-dir", taskRoot.path, "--cgroup-parent", cgroupParent, "--default-disk", "256M"])
        }

        /// Kills the daemon, waits until its sandboxes have died with it, starts it again, and checks the host.
        func killAndRestart(_ what: String) throws {
            daemon.killHard()
            try daemon.start()
            // The restarted daemon has cleaned up once it answers; a process the kernel is still tearing down
            // may take a moment to be gone from /proc.
            var leftovers = HostLeftovers.of(daemon, cgroupParent: cgroupParent)
            for _ in 0..<50 where !leftovers.isEmpty {
                usleep(100_000)
                leftovers = HostLeftovers.of(daemon, cgroupParent: cgroupParent)
            }
            #expect(leftovers.isEmpty, "after a kill during \(what): \(leftovers)")
            #expect(try HostLeftovers.integrityCheck(daemon) == "ok")
        }

        func finish() {
            daemon.finish()
            HostLeftovers.removeCgroupParent(cgroupParent)
            taskRoot.remove()
        }
    }

    /// Runs `body` on a thread of its own (a client whose daemon is killed under it) and returns at once.
    func inBackground(_ body: @escaping @Sendable () -> Void) {
        Thread { body() }.start()
    }

    func waitFor(_ what: String, _ condition: () -> Bool) throws {
        for _ in 0..<600 {
            if condition() { return }
            usleep(20_000)
        }
        throw TestFailure("waited 12 s for \(what)")
    }

    @Test func aKillWhileSessionsAreBeingCreatedLeavesNothing() throws {
        let subject = try Subject()
        defer { subject.finish() }
        let daemon = subject.daemon
        let committed = try daemon.client.createSession(SessionSpec(name: "before"))
        _ = try daemon.client.exec(committed.id, ExecRequest(command: "echo kept"))
        // Several starts in flight, bare and on a task, caught at whatever stage each has reached.
        for index in 0..<4 {
            inBackground { _ = try? daemon.ctl(index % 2 == 0 ? ["start"] : ["start", "--task", "letters"]) }
        }
        usleep(150_000)
        try subject.killAndRestart("session creation")
        let sessions = try daemon.client.sessions()
        #expect(sessions.allSatisfy { $0.state == "lost" || $0.state == "failed" }, "\(sessions.map(\.state))")
        #expect(try daemon.client.logs(committed.id).execs.map(\.output) == ["kept\n"])
    }

    @Test func aKillDuringAStreamingExecLeavesNothing() throws {
        let subject = try Subject()
        defer { subject.finish() }
        let daemon = subject.daemon
        let id = try daemon.client.createSession(SessionSpec()).id
        _ = try daemon.client.exec(id, ExecRequest(command: "echo one"))
        let streamed = Mutex(0)
        inBackground {
            _ = try? daemon.client.execStreaming(id, ExecRequest(command: "yes 0123456789 | head -c 2000000000")) { text in
                streamed.withLock { $0 += text.utf8.count }
            }
        }
        try waitFor("output to stream") { streamed.withLock { $0 } > 1_000_000 }
        try subject.killAndRestart("a streaming exec")
        #expect(try daemon.client.session(id).state == "lost")
        #expect(try daemon.client.logs(id).execs.map(\.output) == ["one\n"])
    }

    @Test func aKillWhileTheWorkspaceIsCopiedForEvaluationLeavesNothing() throws {
        let subject = try Subject()
        defer { subject.finish() }
        let daemon = subject.daemon
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        // Many small files: the copy takes long enough to be caught.
        _ = try daemon.client.exec(id, ExecRequest(command: "mkdir many && cd many && seq 20000 | xargs touch && cd .. && echo id,letter > submission.csv"))
        inBackground { _ = try? daemon.ctl(["validate", id]) }
        let scratch = daemon.stateDirectory + "/sandboxes/\(id)/volume/scratch"
        try waitFor("the evaluation copy to begin") { !((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty }
        try subject.killAndRestart("the evaluation copy")
        let evaluations = try daemon.client.evaluations(id).evaluations
        #expect(evaluations.map(\.status) == ["error"], "\(evaluations)")
        #expect(evaluations.first?.message?.contains("interrupted") == true)
    }

    @Test func aKillDuringAnEvaluationRecordsItInterruptedAndLeavesNothing() throws {
        let subject = try Subject(evaluation: "import time\ntime.sleep(300)\n")
        defer { subject.finish() }
        let daemon = subject.daemon
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        _ = try daemon.client.exec(id, ExecRequest(command: "echo id,letter > submission.csv"))
        inBackground { _ = try? daemon.ctl(["submit", id]) }
        // The evaluation sandbox runs when a python3 process is in the daemon's cgroups beside the session's shell.
        try waitFor("the evaluation to run") {
            HostLeftovers.of(daemon, cgroupParent: subject.cgroupParent).processes.contains { pid in
                ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains("evaluate.py")
            }
        }
        try subject.killAndRestart("an evaluation")
        let list = try daemon.client.evaluations(id)
        #expect(list.evaluations.map(\.status) == ["error"])
        #expect(list.evaluations.first?.message?.contains("interrupted") == true, "\(list.evaluations)")
        #expect(!list.submitted, "an interrupted submission is not the agent's final one")
        #expect(daemon.log.contains("1 evaluations recorded as interrupted"))
    }

    @Test func aKillWhileAnAgentStepRunsKeepsEveryCommittedStep() throws {
        let subject = try Subject()
        defer { subject.finish() }
        let daemon = subject.daemon
        let replay = daemon.directory + "/slow.traj"
        try ReplayTrajectoryFiles.slow(5, from: DaemonProcess.packageRoot + "/tasks/demos/baseline-as-is.traj", to: replay)
        inBackground {
            _ = try? daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "replay:" + replay, "--seeds", "2", "--parallel", "2"])
        }
        // Both runs are in their first command (a sleep): no step is committed yet; it must not half-appear.
        try waitFor("both runs to be in their first command") {
            HostLeftovers.of(daemon, cgroupParent: subject.cgroupParent).processes.filter { pid in
                ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").hasPrefix("sleep")
            }.count == 2
        }
        let ids = try daemon.client.runs().runs.map(\.id)
        #expect(ids.count == 2)
        try subject.killAndRestart("agent steps")
        for id in ids {
            let run = try daemon.client.run(id)
            #expect(run.state == "interrupted", "\(run)")
            #expect(try daemon.client.trajectory(id).steps.isEmpty)
        }
        // A resumed run goes on from there and finishes.
        let resumed = try daemon.ctl(["run", "--resume", ids[0], "--json"])
        #expect(resumed.status == 0, "\(resumed.errorOutput)")
        #expect(try daemon.client.run(ids[0]).exitStatus == "submitted")
    }
}
