import MLGymSandbox
import Testing

/// The mount steps that give a sandbox its own `/proc/driver/nvidia` (pure: no sandbox is made).
@Suite("Mount plan: /proc/driver/nvidia overlay")
struct MountPlanNvidiaProcTests {
    static let gpuDirectory = "/host/proc/driver/nvidia/gpus/0000:18:00.0"
    static let accessFile = "/host/proc/driver/nvidia/capabilities/gpu0/mig/gi1/access"
    static let overlay = NvidiaProcOverlay(
        files: ["params": "ModifyDeviceFiles: 0\n", "version": "NVRM version: 550.54.15\n"],
        binds: [
            ReadOnlyBind(hostPath: gpuDirectory, sandboxPath: "/proc/driver/nvidia/gpus/0000:18:00.0"),
            ReadOnlyBind(hostPath: accessFile, sandboxPath: "/proc/driver/nvidia/capabilities/gpu0/mig/gi1/access"),
        ])

    static func plan(driverDirectoryExists: Bool) throws -> [PlannedMount] {
        let host = MountPlan.HostPaths(
            topLevel: [:], etcEntries: [:], bindIsDirectory: [gpuDirectory: true, accessFile: false],
            nvidiaProcDirectoryExists: driverDirectoryExists)
        let plan = try MountPlan(spec: SandboxSpec(), host: host, volumeDirectory: nil, workspaceHostPath: "/ws", nvidiaProc: overlay)
        return plan.steps
    }

    @Test func tmpfsGoesOverTheDriverDirectoryAfterProcAndEndsReadOnly() throws {
        let steps = try Self.plan(driverDirectoryExists: true)
        let proc = try #require(steps.firstIndex { $0.kind == .proc })
        let tmpfs = try #require(steps.firstIndex { $0.kind == .tmpfs && $0.target == "/proc/driver/nvidia" })
        let readOnly = try #require(steps.firstIndex { $0.kind == .remountReadOnly && $0.target == "/proc/driver/nvidia" })
        #expect(proc < tmpfs && tmpfs < readOnly)
        #expect(steps[tmpfs].data?.contains("mode=0555") == true)
        // Everything under the overlay happens between its tmpfs and its read-only remount.
        let inside = steps.indices.filter { steps[$0].target.hasPrefix("/proc/driver/nvidia/") }
        #expect(inside.allSatisfy { tmpfs < $0 && $0 < readOnly })
    }

    @Test func filesAreWrittenAndSelectedEntriesBoundReadOnly() throws {
        let steps = try Self.plan(driverDirectoryExists: true)
        #expect(steps.contains(PlannedMount(.write, "/proc/driver/nvidia/params", data: "ModifyDeviceFiles: 0\n", mode: 0o444)))
        #expect(steps.contains { $0.kind == .write && $0.target == "/proc/driver/nvidia/version" })
        // A GPU's directory gets a directory to bind onto; a MIG access file an empty file.
        #expect(steps.contains { $0.kind == .mkdir && $0.target == "/proc/driver/nvidia/gpus/0000:18:00.0" })
        #expect(steps.contains { $0.kind == .file && $0.target == "/proc/driver/nvidia/capabilities/gpu0/mig/gi1/access" })
        let binds = steps.filter { $0.kind == .bind && $0.target.hasPrefix("/proc/driver/nvidia/") }
        #expect(binds.map(\.source) == [Self.gpuDirectory, Self.accessFile])
        #expect(binds.allSatisfy { $0.flags & PlannedMount.readOnly != 0 && $0.flags & PlannedMount.noDev != 0 })
    }

    @Test func withoutTheHostDriverDirectoryTheTmpfsGoesOnProcDriver() throws {
        let steps = try Self.plan(driverDirectoryExists: false)
        let tmpfs = try #require(steps.firstIndex { $0.kind == .tmpfs && $0.target == "/proc/driver" })
        let mkdir = try #require(steps.firstIndex { $0.kind == .mkdir && $0.target == "/proc/driver/nvidia" })
        #expect(tmpfs < mkdir)
        #expect(steps.contains { $0.kind == .remountReadOnly && $0.target == "/proc/driver" })
        #expect(!steps.contains { $0.kind == .tmpfs && $0.target == "/proc/driver/nvidia" })
    }

    @Test func noOverlayLeavesProcDriverAlone() throws {
        let plan = try MountPlan(
            spec: SandboxSpec(), host: MountPlan.HostPaths(topLevel: [:], etcEntries: [:], bindIsDirectory: [:]),
            volumeDirectory: nil, workspaceHostPath: "/ws")
        #expect(!plan.steps.contains { $0.target.hasPrefix("/proc/driver") })
    }
}
