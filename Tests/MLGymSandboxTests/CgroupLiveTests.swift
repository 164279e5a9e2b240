import Dispatch
import Foundation
import Glibc
import MLGymCore
@testable import MLGymSandbox
import Synchronization
import Testing

/// The cgroup layer on this host's real cgroupfs, in whatever mode the host has (the build machine is hybrid).
/// Needs root to create cgroups; CI runs as root. Each test uses its own parent directory, so parallel runs
/// and the engine's own tests never see each other's sandboxes, and removes everything it made.
@Suite("Cgroups on this host", .serialized, .enabled(if: getuid() == 0, "creating cgroups needs root"))
struct CgroupLiveTests {
    let host: CgroupHost
    /// `mlgym-test-<pid>-<n>`: unique per test instance.
    let parent: String

    private static let counter = Atomic<Int>(0)

    init() throws {
        host = try CgroupHost.discover()
        parent = "mlgym-test-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
    }

    /// Destroys `cgroup` and removes the per-test parent directories.
    func cleanUp(_ cgroups: SandboxCgroup?...) {
        for cgroup in cgroups { try? cgroup?.destroy() }
        for hierarchy in host.usedHierarchies { rmdir("\(hierarchy.ownDirectory)/\(parent)") }
    }

    @Test func limitsAreVisibleInTheControlFilesBeforeAnyProcessJoins() throws {
        #expect(host.canManage)
        let limits = CgroupLimits(memoryBytes: 48 << 20, cpus: 0.5, pids: 20)
        let cgroup = try SandboxCgroup.create(host: host, name: "limits", limits: limits, parent: parent)
        defer { cleanUp(cgroup) }
        for directory in cgroup.directories {
            #expect(FileManager.default.fileExists(atPath: directory))
            // Nested under our own cgroup in every hierarchy, never at a hierarchy's root.
            #expect(host.usedHierarchies.contains { directory == "\($0.ownDirectory)/\(parent)/limits" })
        }
        let stats = cgroup.stats()
        #expect(stats.memoryLimitBytes == 48 << 20)
        #expect(stats.pidsLimit == 20)
        #expect(stats.pidsCurrent == 0)
        #expect(stats.oomKills == 0)
        if let cpu = host.hierarchy(for: "cpu"), cpu.version == .v1 {
            let quota = try String(contentsOfFile: "\(cpu.ownDirectory)/\(parent)/limits/cpu.cfs_quota_us", encoding: .utf8)
            #expect(quota == "50000\n")
        }
    }

    @Test func attachedProcessIsCountedAndKillAllEmptiesTheCgroup() throws {
        let cgroup = try SandboxCgroup.create(host: host, name: "attach", limits: CgroupLimits(pids: 10), parent: parent)
        let shell = try ParkedCommand(["/bin/sleep", "1000"])
        defer {
            shell.stop()
            cleanUp(cgroup)
        }
        try cgroup.attach(pid: shell.pid)
        shell.release()
        #expect(cgroup.processes() == [shell.pid])
        #expect(cgroup.stats().pidsCurrent == 1)
        for directory in cgroup.directories {
            let procs = try String(contentsOfFile: "\(directory)/cgroup.procs", encoding: .utf8)
            #expect(procs == "\(shell.pid)\n")
        }
        try cgroup.killAll()
        #expect(cgroup.processes().isEmpty)
        let exit = shell.waitForExit()
        #expect(exit.signal == SIGKILL)
    }

    @Test func allocationPastTheMemoryLimitIsOOMKilledAndReported() throws {
        let cgroup = try SandboxCgroup.create(host: host, name: "oom", limits: CgroupLimits(memoryBytes: 32 << 20), parent: parent)
        // tail keeps an ever-growing line of zeros in memory.
        let hog = try ParkedCommand(["/usr/bin/tail", "/dev/zero"])
        defer {
            hog.stop()
            cleanUp(cgroup)
        }
        let reports = Mutex<[CgroupStats]>([])
        let reported = DispatchSemaphore(value: 0)
        try cgroup.watchOOM { stats in
            reports.withLock { $0.append(stats) }
            reported.signal()
        }
        try cgroup.attach(pid: hog.pid)
        hog.release()
        let exit = hog.waitForExit(safetyNet: cgroup)
        #expect(exit.signal == SIGKILL)
        #expect(reported.wait(timeout: .now() + 30) == .success)
        let first = try #require(reports.withLock { $0.first })
        #expect((first.oomKills ?? 0) >= 1)
        #expect(first.memoryLimitBytes == 32 << 20)
        #expect((first.memoryPeakBytes ?? 0) > 16 << 20)
        #expect((cgroup.stats().oomKills ?? 0) >= 1)
    }

    @Test func forkBombStopsAtThePidsLimitAndTheHostStillForks() throws {
        let limit = 16
        let cgroup = try SandboxCgroup.create(host: host, name: "forkbomb", limits: CgroupLimits(pids: limit), parent: parent)
        let bomb = try ParkedCommand(["/bin/sh", "-c", "while :; do /bin/sleep 60 & done"])
        defer {
            bomb.stop()
            cleanUp(cgroup)
        }
        try cgroup.attach(pid: bomb.pid)
        bomb.release()
        // Wait (bounded) until the kernel has refused a fork; how long that takes is not asserted.
        var stats = cgroup.stats()
        for _ in 0..<3000 where (stats.pidsLimitHits ?? 0) == 0 {
            usleep(10_000)
            stats = cgroup.stats()
        }
        #expect((stats.pidsLimitHits ?? 0) > 0)
        #expect((stats.pidsCurrent ?? UInt64.max) <= UInt64(limit))
        // The host is unaffected: we can still start processes.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/true")
        try probe.run()
        probe.waitUntilExit()
        #expect(probe.terminationStatus == 0)
        try cgroup.killAll()
        #expect(cgroup.processes().isEmpty)
    }

    @Test(.enabled(if: (try? CgroupHost.discover())?.hierarchy(for: "freezer")?.version == .v1, "needs a v1 freezer"))
    func legacyKillAllFreezesAndEmptiesAForkingCgroup() throws {
        // The host as a legacy (v1-only) host would see it: no unified directory, so no cgroup.kill.
        var legacyHost = host
        legacyHost.unifiedHierarchy = nil
        let cgroup = try SandboxCgroup.create(host: legacyHost, name: "v1kill", limits: CgroupLimits(pids: 32), parent: parent)
        let forker = try ParkedCommand(["/bin/sh", "-c", "while :; do /bin/sleep 60 & done"])
        defer {
            forker.stop()
            cleanUp(cgroup)
        }
        #expect(cgroup.unified == nil)
        try cgroup.attach(pid: forker.pid)
        forker.release()
        for _ in 0..<3000 where (cgroup.stats().pidsCurrent ?? 0) < 8 { usleep(10_000) }
        try cgroup.killAll()
        #expect(cgroup.processes().isEmpty)
        let freezer = try #require(cgroup.legacy.directory("freezer"))
        #expect(try String(contentsOfFile: "\(freezer)/freezer.state", encoding: .utf8) == "THAWED\n")
    }

    @Test func busyLoopGetsItsCpuQuotaAndIsThrottled() throws {
        let cpus = 0.2
        let cgroup = try SandboxCgroup.create(host: host, name: "cpu", limits: CgroupLimits(cpus: cpus), parent: parent)
        let loop = try ParkedCommand(["/bin/sh", "-c", "while :; do :; done"])
        defer {
            loop.stop()
            cleanUp(cgroup)
        }
        try cgroup.attach(pid: loop.pid)
        let before = cgroup.stats().cpuUsageNanos ?? 0
        let start = DispatchTime.now().uptimeNanoseconds
        loop.release()
        usleep(1_000_000)
        let stats = cgroup.stats()
        let wall = DispatchTime.now().uptimeNanoseconds - start
        try cgroup.killAll()
        let used = try #require(stats.cpuUsageNanos) - before
        // Upper bound only: a shared machine may give the loop less, never (much) more than its quota.
        let allowed = UInt64(cpus * Double(wall) * 1.5) + 50_000_000
        #expect(used <= allowed, "used \(used) ns of CPU in \(wall) ns of wall time under a \(cpus)-CPU quota")
        #expect((stats.cpuThrottledPeriods ?? 0) > 0)
        #expect((stats.cpuThrottledNanos ?? 0) > 0)
    }

    @Test func destroyRemovesEveryDirectoryAndOrphansAreFoundAgain() throws {
        let leftover = try SandboxCgroup.create(host: host, name: "leftover", limits: CgroupLimits(pids: 4), parent: parent)
        let sleeper = try ParkedCommand(["/bin/sleep", "1000"])
        defer {
            sleeper.stop()
            cleanUp(leftover)
        }
        try leftover.attach(pid: sleeper.pid)
        sleeper.release()
        // As if the daemon had been SIGKILLed: a new start finds the cgroup by name and tears it down.
        #expect(SandboxCgroup.orphans(host: host, parent: parent) == ["leftover"])
        let reopened = try #require(SandboxCgroup.open(host: host, name: "leftover", parent: parent))
        #expect(reopened.directories == leftover.directories)
        try reopened.destroy()
        #expect(sleeper.waitForExit().signal == SIGKILL)
        for directory in leftover.directories {
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
        #expect(SandboxCgroup.orphans(host: host, parent: parent).isEmpty)
        #expect(SandboxCgroup.open(host: host, name: "leftover", parent: parent) == nil)
        try reopened.destroy()
    }

    // MARK: - Devices

    /// Device nodes made with mknod in a temporary directory: a fake NVIDIA GPU (195:0, no driver here).
    struct FakeDeviceNodes {
        let directory = NSTemporaryDirectory() + "mlgym-devnodes-\(UUID().uuidString)"
        var gpu: String { "\(directory)/nvidia0" }

        init() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // glibc's makedev for a major below 4096 and a minor below 256: major << 8 | minor.
            guard mknod(gpu, S_IFCHR | 0o666, dev_t(195 << 8)) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Opens each `mode:path` (mode r or rw) inside the cgroup and returns "path=ok" or "path=ERRNO" lines.
    func openResults(in cgroup: SandboxCgroup, _ requests: [String]) throws -> [String: String] {
        let script = """
            import errno, os, sys
            for request in sys.argv[1:]:
                mode, path = request.split(":", 1)
                try:
                    os.close(os.open(path, os.O_RDWR if mode == "rw" else os.O_RDONLY))
                    print(request + "=ok")
                except OSError as error:
                    print(request + "=" + errno.errorcode[error.errno])
            """
        let probe = try ParkedCommand(["/usr/bin/python3", "-I", "-c", script] + requests)
        defer { probe.stop() }
        try cgroup.attach(pid: probe.pid)
        probe.release()
        let output = probe.output()
        var results: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { results[String(parts[0])] = String(parts[1]) }
        }
        #expect(results.count == requests.count, "probe output: \(output)")
        return results
    }

    @Test(.enabled(if: (try? CgroupHost.discover())?.hierarchy(for: "devices") != nil, "needs a v1 devices hierarchy"))
    func v1DeviceRulesAllowExactlyTheListedNodes() throws {
        let nodes = try FakeDeviceNodes()
        let basic = try SandboxCgroup.create(host: host, name: "dev-basic", limits: CgroupLimits(devices: DeviceRule.basic), parent: parent)
        let gpu = try SandboxCgroup.create(
            host: host, name: "dev-gpu",
            limits: CgroupLimits(devices: DeviceRule.basic + [DeviceRule(.char, major: 195, minor: 0)]), parent: parent)
        defer {
            nodes.remove()
            cleanUp(basic, gpu)
        }
        let devices = try #require(host.hierarchy(for: "devices"))
        let list = try String(contentsOfFile: "\(devices.ownDirectory)/\(parent)/dev-gpu/devices.list", encoding: .utf8)
        #expect(list.contains("c 195:0 rw"))
        #expect(!list.contains("a *:*"))

        let denied = try openResults(in: basic, ["rw:/dev/null", "rw:\(nodes.gpu)", "r:/dev/loop-control"])
        #expect(denied["rw:/dev/null"] == "ok")
        #expect(denied["rw:\(nodes.gpu)"] == "EPERM")
        #expect(denied["r:/dev/loop-control"] == "EPERM")
        // Allowed by the cgroup, so the open reaches the kernel and finds no driver for major 195.
        let allowed = try openResults(in: gpu, ["rw:\(nodes.gpu)"])
        #expect(["ENXIO", "ENODEV"].contains(allowed["rw:\(nodes.gpu)"] ?? ""))
    }

    @Test(.enabled(if: (try? CgroupHost.discover())?.unifiedHierarchy != nil, "needs a cgroup2 hierarchy"))
    func v2DeviceProgramAloneAllowsExactlyTheListedNodesAndAccess() throws {
        let nodes = try FakeDeviceNodes()
        // No v1 device policy: only the BPF program decides.
        let basic = try SandboxCgroup.create(host: host, name: "bpf-basic", limits: CgroupLimits(), parent: parent)
        let readOnlyGPU = try SandboxCgroup.create(host: host, name: "bpf-gpu", limits: CgroupLimits(), parent: parent)
        defer {
            nodes.remove()
            cleanUp(basic, readOnlyGPU)
        }
        let basicDirectory = try #require(basic.unified?.directory)
        let gpuDirectory = try #require(readOnlyGPU.unified?.directory)
        try DeviceProgram.attach(DeviceRule.basic, to: basicDirectory)
        try DeviceProgram.attach(DeviceRule.basic + [DeviceRule(.char, major: 195, minor: 0, access: "r")], to: gpuDirectory)
        #expect(DeviceProgram.attachedCount(basicDirectory) == 1)

        let denied = try openResults(in: basic, ["rw:/dev/null", "rw:/dev/zero", "rw:\(nodes.gpu)", "r:/dev/loop-control"])
        #expect(denied["rw:/dev/null"] == "ok")
        #expect(denied["rw:/dev/zero"] == "ok")
        #expect(denied["rw:\(nodes.gpu)"] == "EPERM")
        #expect(denied["r:/dev/loop-control"] == "EPERM")
        // The rule grants read only: a read-write open is denied, a read-only one reaches the (absent) driver.
        let partial = try openResults(in: readOnlyGPU, ["rw:\(nodes.gpu)", "r:\(nodes.gpu)"])
        #expect(partial["rw:\(nodes.gpu)"] == "EPERM")
        #expect(["ENXIO", "ENODEV"].contains(partial["r:\(nodes.gpu)"] ?? ""))
    }

    @Test(.enabled(if: (try? CgroupHost.discover())?.unifiedHierarchy != nil, "needs a cgroup2 hierarchy"))
    func createAttachesTheDeviceProgramWhenDevicesAreLimited() throws {
        let cgroup = try SandboxCgroup.create(host: host, name: "bpf-create", limits: CgroupLimits(devices: DeviceRule.basic), parent: parent)
        defer { cleanUp(cgroup) }
        #expect(DeviceProgram.attachedCount(try #require(cgroup.unified?.directory)) == 1)
    }

    /// The loaded program is cached per rule set: a second cgroup with the same rules gets it attached too.
    @Test(.enabled(if: (try? CgroupHost.discover())?.unifiedHierarchy != nil, "needs a cgroup2 hierarchy"))
    func secondCgroupWithTheSameRulesAlsoGetsTheProgram() throws {
        let first = try SandboxCgroup.create(host: host, name: "bpf-shared-1", limits: CgroupLimits(devices: DeviceRule.basic), parent: parent)
        defer { cleanUp(first) }
        let second = try SandboxCgroup.create(host: host, name: "bpf-shared-2", limits: CgroupLimits(devices: DeviceRule.basic), parent: parent)
        defer { cleanUp(second) }
        #expect(DeviceProgram.attachedCount(try #require(first.unified?.directory)) == 1)
        #expect(DeviceProgram.attachedCount(try #require(second.unified?.directory)) == 1)
    }
}

/// A command started by Foundation's `Process` behind `sh -c 'read go; exec "$@"'`: it waits on its stdin
/// until `release()`, so it does its work only after the test has put it into a cgroup.
final class ParkedCommand {
    private let process = Process()
    private let input = Pipe()
    private let outputPipe = Pipe()

    init(_ command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "read go; exec \"$@\"", "sh"] + command
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = outputPipe
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func release() {
        input.fileHandleForWriting.write(Data("go\n".utf8))
    }

    /// Waits for exit. `safetyNet` is killed if the command is still running after two minutes, so a broken
    /// limit cannot hang the test run (this is not a timing assertion).
    func waitForExit(safetyNet: SandboxCgroup? = nil) -> (status: Int32?, signal: Int32?) {
        for _ in 0..<12_000 where process.isRunning { usleep(10_000) }
        if process.isRunning {
            try? safetyNet?.killAll()
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
            ? (nil, process.terminationStatus) : (process.terminationStatus, nil)
    }

    /// Everything the command wrote, after it exits.
    func output() -> String {
        let data = outputPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Kills the command if it still runs (cleanup; the cgroup kill normally got it first).
    func stop() {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
