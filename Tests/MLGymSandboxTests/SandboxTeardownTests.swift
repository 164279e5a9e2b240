import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymTestSupport
import Testing

@Suite("Sandbox teardown", .serialized, .enabled(if: SandboxHarness.canRun, "needs root for namespaces and cgroups"))
struct SandboxTeardownTests {
    let harness: SandboxHarness
    init() throws { harness = try SandboxHarness() }

    @Test func stopLeavesNoProcessCgroupOrMount() async throws {
        let sandbox = try await harness.engine.create(try harness.spec { $0.limits.memoryBytes = 128 << 20 })
        _ = try await sandbox.spawn(["/bin/sh", "-c", "sleep 1000 & sleep 1000 & wait"])
        #expect(sandbox.hostProcesses().count >= 3)
        let root = harness.root
        let report = await sandbox.stop()
        #expect(report.processesLeft.isEmpty)
        #expect(report.cgroupRemoved)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(sandbox.hostProcesses().isEmpty)
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(root))
        #expect(!FileManager.default.fileExists(atPath: root + "/run/" + sandbox.id))
    }

    @Test func keptVolumeSurvivesStop() async throws {
        let sandbox = try await harness.engine.create(try harness.spec { spec in
            spec.workspaceHostPath = nil
            spec.limits.diskBytes = 16 << 20
        })
        _ = try await sandbox.run(["/bin/sh", "-c", "echo result > /home/agent/workspace/out.txt"])
        let report = await sandbox.stop(keepVolume: true)
        let image = try #require(report.volumeKept)
        #expect(FileManager.default.fileExists(atPath: image))
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: image).deletingLastPathComponent().path)
    }

    @Test func processesStillRunningAtStopEndKilled() async throws {
        let sandbox = try await harness.engine.create(try harness.spec())
        let process = try await sandbox.spawn(["/bin/sleep", "1000"])
        await sandbox.stop()
        #expect(await process.wait() == .signaled(SIGKILL))
    }

    /// The controller dies by SIGKILL: mlgym-init sees its socket close and takes the sandbox down at once, and
    /// the next engine removes what is left (cgroups, runtime directory).
    @Test func sandboxOfAKilledControllerDoesNotLinger() async throws {
        let runtime = harness.root + "/orphan-run", state = harness.root + "/orphan-state"
        let controller = Process()
        controller.executableURL = URL(fileURLWithPath: SandboxHarness.buildProduct("mlgym-sandbox"))
        controller.arguments = ["run", "--runtime-directory", runtime, "--state-directory", state, "--", "/bin/sleep", "1000"]
        controller.standardInput = FileHandle.nullDevice
        try controller.run()
        var record: String?
        for _ in 0..<200 {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: runtime)) ?? []
            if let id = entries.first, FileManager.default.fileExists(atPath: "\(runtime)/\(id)/sandbox.json") {
                record = "\(runtime)/\(id)/sandbox.json"
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let recordPath = try #require(record, "the controller never started its sandbox")
        try await Task.sleep(for: .milliseconds(300))
        let data = try #require(FileManager.default.contents(atPath: recordPath))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let initPID = try #require(json["initPID"] as? Int32 ?? (json["initPID"] as? Int).map(Int32.init))
        kill(controller.processIdentifier, SIGKILL)
        controller.waitUntilExit()
        var gone = false
        for _ in 0..<200 {
            if kill(initPID, 0) != 0 || (try? String(contentsOfFile: "/proc/\(initPID)/stat", encoding: .utf8))?.contains(") Z") == true {
                gone = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(gone, "mlgym-init \(initPID) outlived its controller")
        let engine = try SandboxEngine(SandboxEngine.Configuration(
            runtimeDirectory: runtime, stateDirectory: state, initExecutable: SandboxHarness.buildProduct("mlgym-init")))
        let removed = engine.removeOrphans()
        #expect(removed.count == 1)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: runtime)) ?? []).isEmpty)
        if let name = json["cgroupName"] as? String, let host = engine.cgroupHost {
            #expect(SandboxCgroup.open(host: host, name: name) == nil)
        }
    }

    /// `mlgym-sandbox run` that is sent SIGTERM (a closed terminal, `kill`) removes its sandbox before it exits.
    @Test func runCommandStopsItsSandboxOnSIGTERM() async throws {
        let runtime = harness.root + "/term-run", state = harness.root + "/term-state"
        let controller = Process()
        controller.executableURL = URL(fileURLWithPath: SandboxHarness.buildProduct("mlgym-sandbox"))
        controller.arguments = ["run", "--runtime-directory", runtime, "--state-directory", state, "--", "/bin/sleep", "1000"]
        controller.standardInput = FileHandle.nullDevice
        try controller.run()
        var started = false
        for _ in 0..<200 {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: runtime)) ?? []
            if let id = entries.first, FileManager.default.fileExists(atPath: "\(runtime)/\(id)/sandbox.json") {
                started = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(started, "the controller never started its sandbox")
        try await Task.sleep(for: .milliseconds(300))
        kill(controller.processIdentifier, SIGTERM)
        controller.waitUntilExit()
        #expect(controller.terminationStatus == 128 + SIGTERM)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: runtime)) ?? []).isEmpty)
    }
}
