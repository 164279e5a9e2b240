import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymTestSupport
import Testing

/// Limits enforced through cgroups, rlimits and sized file systems, observed from inside and through the
/// cgroup's counters. No timing assertions: only upper bounds that hold on a loaded machine.
@Suite("Sandbox limits", .serialized, .enabled(if: SandboxHarness.canRun, "needs root for namespaces and cgroups"))
struct SandboxLimitsTests {
    let harness: SandboxHarness
    init() throws { harness = try SandboxHarness() }

    @Test func allocationPastTheMemoryLimitIsOOMKilledAndReported() async throws {
        try await harness.withSandbox({ $0.limits.memoryBytes = 64 << 20 }) { sandbox in
            let result = try await sandbox.run(["/usr/bin/python3", "-c", "b = bytearray(300 * 1024 * 1024); print('survived')"])
            #expect(result.status == .signaled(SIGKILL))
            #expect(!result.output.contains("survived"))
            var event: CgroupStats?
            for _ in 0..<100 {
                event = sandbox.recordedEvents().lazy.compactMap { if case .outOfMemory(let stats) = $0 { stats } else { nil } }.first
                if event != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let stats = try #require(event, "no OOM event was reported")
            #expect((stats.oomKills ?? 0) >= 1)
            #expect(stats.memoryLimitBytes == 64 << 20)
            // The sandbox itself survives its process's OOM kill.
            #expect(try await sandbox.run(["/bin/echo", "ok"]).output == "ok\n")
        }
    }

    @Test func forkBombStopsAtThePidsLimit() async throws {
        try await harness.withSandbox({ $0.limits.pids = 24 }) { sandbox in
            let bomb = "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(60); os._exit(0)\n        n += 1\nexcept OSError as e:\n    print('stopped', n, e.errno)\n"
            let result = try await sandbox.run(["/usr/bin/python3", "-c", bomb], timeout: .seconds(60))
            // EAGAIN (11) after fewer forks than the limit allows processes.
            let words = result.output.split(separator: " ")
            #expect(words.first == "stopped" && words.last == "11\n", "out: \(result.output) err: \(result.errorOutput)")
            #expect((Int(words.dropFirst().first ?? "") ?? .max) < 24)
            let stats = try #require(sandbox.stats())
            #expect((stats.pidsLimitHits ?? 0) > 0)
            #expect((stats.pidsCurrent ?? 0) <= 24)
        }
        // The host is unaffected: it still starts processes.
        let host = Process()
        host.executableURL = URL(fileURLWithPath: "/bin/true")
        try host.run()
        host.waitUntilExit()
        #expect(host.terminationStatus == 0)
    }

    @Test func busyLoopGetsNoMoreThanItsCPUShare() async throws {
        try await harness.withSandbox({ $0.limits.cpus = 0.2 }) { sandbox in
            let before = sandbox.stats()?.cpuUsageNanos ?? 0
            let start = ContinuousClock.now
            _ = try await sandbox.run(["/bin/sh", "-c", "timeout 1 sh -c 'while :; do :; done'; true"])
            let wall = ContinuousClock.now - start
            let stats = try #require(sandbox.stats())
            let used = Double((stats.cpuUsageNanos ?? 0) - before) / 1e9
            let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            #expect(used <= 0.2 * wallSeconds * 1.5 + 0.05, "used \(used) s of CPU in \(wallSeconds) s")
            #expect((stats.cpuThrottledPeriods ?? 0) > 0)
        }
    }

    @Test func openFilesAndCoreDumpsAreLimited() async throws {
        try await harness.withSandbox({ $0.limits.openFiles = 64 }) { sandbox in
            let limits = try await sandbox.run(["/bin/sh", "-c", "ulimit -n; ulimit -c"])
            #expect(limits.output == "64\n0\n")
        }
    }

    @Test func tmpIsSizeLimited() async throws {
        try await harness.withSandbox({ $0.limits.tmpBytes = 8 << 20 }) { sandbox in
            let fill = try await sandbox.run(["/bin/sh", "-c", "head -c 20000000 /dev/zero > /tmp/fill; echo rc=$?; du -k /tmp/fill"])
            #expect(fill.errorOutput.contains("No space left on device"), "\(fill.errorOutput)")
            let kilobytes = Int(fill.output.split(separator: "\n").last?.split(separator: "\t").first ?? "") ?? .max
            #expect(kilobytes <= 8 * 1024)
        }
    }

    @Test func diskVolumeIsSizeLimitedAndTheHostUntouched() async throws {
        let result = try await harness.withSandbox({ spec in
            spec.workspaceHostPath = nil
            spec.limits.diskBytes = 16 << 20
        }) { sandbox -> (ProcessResult, UInt64) in
            let fill = try await sandbox.run(["/bin/sh", "-c", "head -c 64000000 /dev/zero > /home/agent/workspace/fill"])
            var info = stat()
            let image = sandbox.workspaceHostPath.replacingOccurrences(of: "/volume/workspace", with: "/volume.img")
            stat(image, &info)
            return (fill, UInt64(info.st_blocks) * 512)
        }
        #expect(result.0.errorOutput.contains("No space left on device"), "\(result.0.errorOutput)")
        #expect(result.1 > 0 && result.1 <= 16 << 20, "image uses \(result.1) bytes")
    }

    @Test func wallTimeStopsTheSandbox() async throws {
        try await harness.withSandbox({ $0.limits.wallTimeSeconds = 1 }) { sandbox in
            let result = try await sandbox.run(["/bin/sleep", "60"])
            #expect(result.status == .signaled(SIGKILL))
            #expect(sandbox.recordedEvents().contains(.wallTimeExceeded(seconds: 1)))
        }
    }

    @Test func impossibleLimitsAreRefusedWithAClearError() async throws {
        for (configure, fragment) in [
            ({ (spec: inout SandboxSpec) in spec.limits.memoryBytes = 1024 }, "memory limit"),
            ({ (spec: inout SandboxSpec) in spec.limits.cpus = -1 }, "cpu limit"),
            ({ (spec: inout SandboxSpec) in spec.identity.uid = 0 }, "must not be root"),
            ({ (spec: inout SandboxSpec) in spec.hostname = "bad host!" }, "hostname"),
            ({ (spec: inout SandboxSpec) in spec.rootFilesystem = .directory("/nonexistent/rootfs") }, "is not a directory"),
            ({ (spec: inout SandboxSpec) in spec.workspaceHostPath = "/nonexistent/ws" }, "workspace /nonexistent/ws"),
            ({ (spec: inout SandboxSpec) in spec.binds.append(SandboxSpec.Bind(hostPath: "/nonexistent/x", sandboxPath: "/x")) }, "bind source"),
            ({ (spec: inout SandboxSpec) in spec.gpus = .devices(["7"]) }, "GPU"),
        ] as [((inout SandboxSpec) -> Void, String)] {
            await #expect {
                try await harness.engine.create(try harness.spec(configure))
            } throws: { error in
                (error as? MLGymError)?.message.contains(fragment) == true
            }
        }
    }
}
