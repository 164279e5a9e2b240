import Foundation
import MLGymCore
@testable import MLGymSandbox
import Testing

/// The file writes of both cgroup versions, against fake cgroupfs trees in a temporary directory (plain
/// directories, where every write appends a line, so a file reads as the log of what the kernel was told).
/// The host runs the real thing for its own mode in `CgroupLiveTests`; these cover the writes of every mode.
@Suite("Cgroup writes on a fake cgroupfs")
struct CgroupFakeTreeTests {
    /// A temporary directory with a fake /proc/self/cgroup, mountinfo and hierarchies; removed by `remove()`.
    struct FakeTree {
        let root: String

        init(cgroup: String, mounts: [(mountPoint: String, type: String, options: String)], directories: [String: String]) throws {
            root = NSTemporaryDirectory() + "mlgym-fake-cgroup-\(UUID().uuidString)"
            let lines = mounts.enumerated().map { index, mount in
                "\(100 + index) 31 0:\(50 + index) / \(root)/\(mount.mountPoint) rw,relatime - \(mount.type) \(mount.type) \(mount.options)"
            }
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(toFile: "\(root)/mountinfo", atomically: true, encoding: .utf8)
            try cgroup.write(toFile: "\(root)/cgroup", atomically: true, encoding: .utf8)
            for mount in mounts {
                try FileManager.default.createDirectory(atPath: "\(root)/\(mount.mountPoint)", withIntermediateDirectories: true)
            }
            for (path, contents) in directories {
                let full = "\(root)/\(path)"
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try contents.write(toFile: full, atomically: true, encoding: .utf8)
            }
        }

        func host() throws -> CgroupHost {
            try CgroupHost.discover(procSelfCgroup: "\(root)/cgroup", mountInfo: "\(root)/mountinfo")
        }

        func contents(_ path: String) -> String? {
            try? String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
        }

        func exists(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: "\(root)/\(path)")
        }

        func write(_ text: String, to path: String) throws {
            try text.write(toFile: "\(root)/\(path)", atomically: true, encoding: .utf8)
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// A pure v2 host whose daemon runs in a delegated, non-root cgroup that holds the daemon itself.
    static func unifiedTree() throws -> FakeTree {
        try FakeTree(
            cgroup: "0::/mlgymd.service\n",
            mounts: [("cgroup2", "cgroup2", "rw,nsdelegate")],
            directories: [
                "cgroup2/mlgymd.service/cgroup.controllers": "cpuset cpu io memory pids\n",
                "cgroup2/mlgymd.service/cgroup.procs": "\(getpid())\n",
            ])
    }

    @Test func v2ProcessesSharingOurCgroupMoveIntoTheSupervisorLeafWithUs() throws {
        // A daemon started from a container's or a batch job's shell shares its cgroup with that shell.
        let tree = try Self.unifiedTree()
        defer { tree.remove() }
        try tree.write("\(getpid())\n4242\n", to: "cgroup2/mlgymd.service/cgroup.procs")
        let host = try tree.host()
        _ = try SandboxCgroup.create(host: host, name: "s1", limits: CgroupLimits(memoryBytes: 64 << 20))
        #expect(tree.contents("cgroup2/mlgymd.service/supervisor/cgroup.procs") == "\(getpid())\n4242\n")
        #expect(tree.contents("cgroup2/mlgymd.service/cgroup.subtree_control")?.contains("+memory") == true)
    }

    @Test func v2CreateMovesUsIntoSupervisorEnablesControllersAndWritesLimits() throws {
        let tree = try Self.unifiedTree()
        defer { tree.remove() }
        let host = try tree.host()
        #expect(host.mode == .unified)
        #expect(host.simulated)
        #expect(host.canManage)

        let limits = CgroupLimits(memoryBytes: 64 << 20, cpus: 0.5, pids: 32)
        let cgroup = try SandboxCgroup.create(host: host, name: "s1", limits: limits)
        #expect(tree.contents("cgroup2/mlgymd.service/supervisor/cgroup.procs") == "\(getpid())\n")
        #expect(tree.contents("cgroup2/mlgymd.service/cgroup.subtree_control") == "+memory +pids +cpu\n")
        #expect(tree.contents("cgroup2/mlgymd.service/mlgym/cgroup.subtree_control") == "+memory +pids +cpu\n")
        let sandbox = "cgroup2/mlgymd.service/mlgym/s1"
        #expect(tree.contents("\(sandbox)/memory.max") == "67108864\n")
        #expect(tree.contents("\(sandbox)/memory.swap.max") == "0\n")
        #expect(tree.contents("\(sandbox)/pids.max") == "32\n")
        #expect(tree.contents("\(sandbox)/cpu.max") == "50000 100000\n")
        #expect(cgroup.directories == ["\(tree.root)/\(sandbox)"])

        // A second sandbox finds the controllers enabled and writes nothing more to the parents.
        let second = try SandboxCgroup.create(host: host, name: "s2", limits: CgroupLimits())
        #expect(tree.contents("cgroup2/mlgymd.service/cgroup.subtree_control") == "+memory +pids +cpu\n")
        #expect(!tree.exists("cgroup2/mlgymd.service/mlgym/s2/memory.max"))
        try second.destroy()

        try cgroup.attach(pid: 4242)
        #expect(tree.contents("\(sandbox)/cgroup.procs") == "4242\n")
        try tree.write("low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n", to: "\(sandbox)/memory.events")
        try tree.write("5000\n", to: "\(sandbox)/memory.current")
        try tree.write("max 3\n", to: "\(sandbox)/pids.events")
        try tree.write("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 9\nnr_throttled 4\nthrottled_usec 250\n", to: "\(sandbox)/cpu.stat")
        let stats = cgroup.stats()
        #expect(stats.memoryLimitBytes == 64 << 20)
        #expect(stats.memoryCurrentBytes == 5000)
        #expect(stats.oomKills == 2)
        #expect(stats.memoryLimitHits == 7)
        #expect(stats.pidsLimit == 32)
        #expect(stats.pidsLimitHits == 3)
        #expect(stats.cpuUsageNanos == 1_500_000)
        #expect(stats.cpuThrottledPeriods == 4)
        #expect(stats.cpuThrottledNanos == 250_000)

        #expect(SandboxCgroup.orphans(host: host) == ["s1"])
        // destroy() kills through cgroup.kill (a fake tree gets the write but no signals) and removes the directory.
        try cgroup.destroy()
        #expect(!tree.exists(sandbox))
        try cgroup.destroy()
        #expect(SandboxCgroup.orphans(host: host).isEmpty)
        #expect(SandboxCgroup.open(host: host, name: "s1") == nil)
    }

    @Test func v2RootCgroupNeedsNoSupervisorLeaf() throws {
        let tree = try FakeTree(
            cgroup: "0::/\n", mounts: [("cgroup2", "cgroup2", "rw")],
            directories: ["cgroup2/cgroup.controllers": "memory pids\n", "cgroup2/cgroup.procs": "1\n"])
        defer { tree.remove() }
        let cgroup = try SandboxCgroup.create(host: try tree.host(), name: "s", limits: CgroupLimits(pids: 8))
        defer { try? cgroup.destroy() }
        #expect(!tree.exists("cgroup2/supervisor"))
        #expect(tree.contents("cgroup2/cgroup.subtree_control") == "+memory +pids\n")
        #expect(tree.contents("cgroup2/mlgym/s/pids.max") == "8\n")
    }

    @Test func v2WithoutTheCpuControllerRefusesACpuLimit() throws {
        let tree = try FakeTree(
            cgroup: "0::/d\n", mounts: [("cgroup2", "cgroup2", "rw")],
            directories: ["cgroup2/d/cgroup.controllers": "memory pids\n"])
        defer { tree.remove() }
        #expect(throws: MLGymError.self) {
            try SandboxCgroup.create(host: try tree.host(), name: "s", limits: CgroupLimits(cpus: 1))
        }
        #expect(!tree.exists("cgroup2/d/mlgym/s"))
    }

    @Test func v1CreateWritesEveryControllerIncludingCoMountedCpuAndDeviceRules() throws {
        let tree = try FakeTree(
            cgroup: "5:pids:/\n4:cpu,cpuacct:/\n3:memory:/daemon\n2:devices:/\n1:freezer:/\n",
            mounts: [
                ("pids", "cgroup", "rw,pids"), ("cpu,cpuacct", "cgroup", "rw,cpu,cpuacct"),
                ("memory", "cgroup", "rw,memory"), ("devices", "cgroup", "rw,devices"), ("freezer", "cgroup", "rw,freezer"),
            ],
            directories: ["memory/daemon/memory.limit_in_bytes": "9223372036854771712\n"])
        defer { tree.remove() }
        let host = try tree.host()
        #expect(host.mode == .legacy)
        let gpu = DeviceRule(.char, major: 195, minor: 0)
        let limits = CgroupLimits(memoryBytes: 256 << 20, cpus: 1.5, pids: 64, devices: DeviceRule.basic + [gpu])
        let cgroup = try SandboxCgroup.create(host: host, name: "box", limits: limits)
        // One directory per hierarchy: the co-mounted cpu,cpuacct hierarchy gets one, not two.
        #expect(cgroup.directories.count == 5)
        #expect(tree.contents("memory/daemon/mlgym/box/memory.limit_in_bytes") == "268435456\n")
        #expect(tree.contents("memory/daemon/mlgym/box/memory.memsw.limit_in_bytes") == "268435456\n")
        #expect(tree.contents("pids/mlgym/box/pids.max") == "64\n")
        #expect(tree.contents("cpu,cpuacct/mlgym/box/cpu.cfs_period_us") == "100000\n")
        #expect(tree.contents("cpu,cpuacct/mlgym/box/cpu.cfs_quota_us") == "150000\n")
        #expect(tree.contents("devices/mlgym/box/devices.deny") == "a\n")
        #expect(tree.contents("devices/mlgym/box/devices.allow") ==
            "c 1:3 rw\nc 1:5 rw\nc 1:7 rw\nc 1:8 rw\nc 1:9 rw\nc 5:0 rw\nc 5:2 rw\nc 136:* rw\nc 195:0 rw\n")

        try cgroup.attach(pid: 4242)
        for directory in ["pids", "cpu,cpuacct", "memory/daemon", "devices", "freezer"] {
            #expect(tree.contents("\(directory)/mlgym/box/cgroup.procs") == "4242\n")
        }
        try tree.write("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", to: "memory/daemon/mlgym/box/memory.oom_control")
        try tree.write("12\n", to: "memory/daemon/mlgym/box/memory.failcnt")
        try tree.write("9000\n", to: "cpu,cpuacct/mlgym/box/cpuacct.usage")
        try tree.write("nr_periods 10\nnr_throttled 6\nthrottled_time 777\n", to: "cpu,cpuacct/mlgym/box/cpu.stat")
        let stats = cgroup.stats()
        #expect(stats.memoryLimitBytes == 256 << 20)
        #expect(stats.oomKills == 1)
        #expect(stats.memoryLimitHits == 12)
        #expect(stats.cpuUsageNanos == 9000)
        #expect(stats.cpuThrottledPeriods == 6)
        #expect(stats.cpuThrottledNanos == 777)

        // Without cgroup.kill, killAll freezes, signals (not in a fake tree) and thaws.
        try cgroup.killAll()
        #expect(tree.contents("freezer/mlgym/box/freezer.state") == "FROZEN\nTHAWED\n")
        try cgroup.destroy()
        for directory in ["pids", "cpu,cpuacct", "memory/daemon", "devices", "freezer"] {
            #expect(!tree.exists("\(directory)/mlgym/box"))
        }
    }

    @Test func v1UnlimitedMemoryReadsAsNoLimit() throws {
        let tree = try FakeTree(
            cgroup: "1:memory:/\n", mounts: [("memory", "cgroup", "rw,memory")], directories: [:])
        defer { tree.remove() }
        let cgroup = try SandboxCgroup.create(host: try tree.host(), name: "m", limits: CgroupLimits())
        defer { try? cgroup.destroy() }
        try tree.write("9223372036854771712\n", to: "memory/mlgym/m/memory.limit_in_bytes")
        #expect(cgroup.stats().memoryLimitBytes == nil)
    }

    @Test func existingCgroupOfTheSameNameIsRefusedAsAnOrphan() throws {
        let tree = try Self.unifiedTree()
        defer { tree.remove() }
        let host = try tree.host()
        let first = try SandboxCgroup.create(host: host, name: "dup", limits: CgroupLimits())
        defer { try? first.destroy() }
        #expect(throws: MLGymError.self) { try SandboxCgroup.create(host: host, name: "dup", limits: CgroupLimits()) }
        #expect(SandboxCgroup.open(host: host, name: "dup") != nil)
    }

    @Test(arguments: ["", "..", "../escape", "a/b", ".hidden", "supervisor", String(repeating: "x", count: 129)])
    func unsafeNamesAreRefused(name: String) throws {
        let tree = try Self.unifiedTree()
        defer { tree.remove() }
        #expect(throws: MLGymError.self) { try SandboxCgroup.create(host: try tree.host(), name: name, limits: CgroupLimits()) }
    }
}
