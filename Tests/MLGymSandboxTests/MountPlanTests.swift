import MLGymSandbox
import Testing

@Suite("Mount plan (pure)")
struct MountPlanTests {
    let host = MountPlan.HostPaths(
        topLevel: ["bin": "usr/bin", "lib": "usr/lib", "lib64": "usr/lib64", "sbin": "usr/sbin", "lib32": nil],
        etcEntries: ["ld.so.cache": false, "ssl": true], bindIsDirectory: ["/opt/tool": false])

    @Test func hostRootBindsUsrReadOnlyAndRecreatesMergedUsrLinks() throws {
        let plan = try MountPlan(spec: SandboxSpec(), host: host, volumeDirectory: nil, workspaceHostPath: "/ws")
        let usr = try #require(plan.steps.first { $0.kind == .bind && $0.target == "/usr" })
        #expect(usr.flags & PlannedMount.readOnly != 0)
        #expect(plan.steps.contains(PlannedMount(.symlink, "/bin", source: "usr/bin")))
        #expect(!plan.steps.contains { $0.target == "/lib32" })
        #expect(plan.steps.contains { $0.kind == .bind && $0.target == "/etc/ssl" && $0.flags & PlannedMount.readOnly != 0 })
        #expect(!plan.steps.contains { $0.target == "/etc/shadow" })
        // Files are copied into the root (one read and write instead of two mount calls), never bound.
        #expect(plan.steps.contains(PlannedMount(.copy, "/etc/ld.so.cache", source: "/etc/ld.so.cache", mode: 0o644, optional: true)))
        #expect(!plan.steps.contains { $0.kind == .bind && $0.target == "/etc/ld.so.cache" })
    }

    @Test func workspaceIsTheOnlyReadWriteBindAndOwnedByTheAgent() throws {
        let plan = try MountPlan(spec: SandboxSpec(), host: host, volumeDirectory: nil, workspaceHostPath: "/ws")
        let writableBinds = plan.steps.filter { $0.kind == .bind && $0.flags & PlannedMount.readOnly == 0 && !$0.target.hasPrefix("/dev/") }
        #expect(writableBinds.map(\.target) == ["/home/agent/workspace"])
        #expect(plan.steps.contains(PlannedMount(.chown, "/home/agent/workspace", uid: 1000, gid: 1000)))
    }

    @Test func everyMountPointIsCreatedBeforeItIsUsed() throws {
        var spec = SandboxSpec()
        spec.binds = [SandboxSpec.Bind(hostPath: "/opt/tool", sandboxPath: "/opt/deep/tool/bin/x")]
        let plan = try MountPlan(spec: spec, host: host, volumeDirectory: nil, workspaceHostPath: "/ws")
        var made: Set<String> = ["/"]
        // Masks and read-only remounts act on paths inside /proc and /sys, which the kernel provides.
        for step in plan.steps where step.kind != .mask && step.kind != .remountReadOnly {
            let parent = step.target.split(separator: "/").dropLast().reduce("") { $0 + "/" + $1 }
            #expect(made.contains(parent.isEmpty ? "/" : parent), "\(step.target) comes before its parent")
            if [.mkdir, .file, .symlink, .write].contains(step.kind) { made.insert(step.target) }
        }
    }

    @Test func devOnlyGetsTheBasicNodesAndSelectedGPUs() throws {
        let plan = try MountPlan(
            spec: SandboxSpec(), host: host, volumeDirectory: nil, workspaceHostPath: "/ws",
            gpuNodes: [("/dev/nvidia2", "/dev/nvidia2")])
        let devices = plan.steps.filter { $0.kind == .bind && $0.target.hasPrefix("/dev/") }.map(\.target)
        #expect(devices == ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/nvidia2"])
    }

    @Test func directoryRootNeedsAVolumeForItsOverlay() throws {
        let spec = SandboxSpec(rootFilesystem: .directory("/srv/rootfs"))
        #expect(throws: (any Error).self) { try MountPlan(spec: spec, host: host, volumeDirectory: nil, workspaceHostPath: "/ws") }
        let plan = try MountPlan(spec: spec, host: host, volumeDirectory: "/v", workspaceHostPath: "/ws")
        #expect(plan.steps.first == PlannedMount(.overlay, "/", data: "lowerdir=/srv/rootfs,upperdir=/v/upper,workdir=/v/work", flags: PlannedMount.noSUID | PlannedMount.noDev))
    }
}
