import CSandbox
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// A running sandbox: its pid 1 is mlgym-init, which starts processes on request, confined as the spec says.
///
/// Made by `SandboxEngine.create`; ended by `stop()`, which leaves no process, cgroup or mount behind.
public final class Sandbox: Sendable {
    public let id: String
    public let spec: SandboxSpec
    /// mlgym-init's pid in the host's pid namespace.
    public let initPID: Int32
    /// The host directory bound as the workspace.
    public let workspaceHostPath: String
    /// The host directory that holds the sandbox's writable storage (its disk volume's mount point when it has
    /// a disk limit): the workspace, the overlay's upper directory, and `scratchDirectory`.
    public let volumeHostPath: String
    /// What the engine could not enforce on this host, and other things the owner should know.
    public let warnings: [String]
    /// The agent's uid as the host sees it (files the agent writes in the workspace are owned by it).
    public let agentHostUID: UInt32
    /// The agent's gid as the host sees it (in rootless mode the caller's gid, not the identity's).
    public let agentHostGID: UInt32
    let channel: InitChannel
    let cgroup: SandboxCgroup?
    let volume: DiskVolume?
    let runtimeDirectory: String
    let stateDirectory: String
    let environment: [String: String]
    let supplementaryGroups: [UInt32]
    /// The inode of the sandbox's pid namespace, to find its processes in the host's /proc.
    public let pidNamespace: UInt64

    private struct State {
        /// The limits in force: the spec's, or those a session applied to a warm sandbox it took.
        var limits: ResourceLimits
        var events: [SandboxEvent] = []
        var listeners: [AsyncStream<SandboxEvent>.Continuation] = []
        var stopping = false
        var teardown: TeardownReport?
        /// Later `stop` callers, waiting for the first one's teardown.
        var teardownWaiters: [CheckedContinuation<TeardownReport, Never>] = []
    }
    private let state: Mutex<State>

    init(
        id: String, spec: SandboxSpec, initPID: Int32, controlFD: Int32, cgroup: SandboxCgroup?, volume: DiskVolume?,
        runtimeDirectory: String, stateDirectory: String, workspaceHostPath: String, volumeHostPath: String,
        environment: [String: String],
        supplementaryGroups: [UInt32], agentHostUID: UInt32, agentHostGID: UInt32, warnings: [String]
    ) throws(MLGymError) {
        self.id = id
        self.spec = spec
        self.initPID = initPID
        self.cgroup = cgroup
        self.volume = volume
        self.runtimeDirectory = runtimeDirectory
        self.stateDirectory = stateDirectory
        self.workspaceHostPath = workspaceHostPath
        self.volumeHostPath = volumeHostPath
        self.environment = environment
        self.supplementaryGroups = supplementaryGroups
        self.agentHostUID = agentHostUID
        self.agentHostGID = agentHostGID
        self.warnings = warnings
        state = Mutex(State(limits: spec.limits))
        pidNamespace = Self.pidNamespace(of: initPID) ?? 0
        let box = WeakBox()
        channel = try InitChannel(fd: controlFD) { box.sandbox?.initEnded() }
        box.sandbox = self
    }

    func startMonitors() throws(MLGymError) {
        try cgroup?.watchOOM { [weak self] stats in self?.record(.outOfMemory(stats)) }
        if let seconds = spec.limits.wallTimeSeconds { startWallClock(seconds) }
    }

    /// Stops the sandbox `seconds` from now.
    private func startWallClock(_ seconds: Double) {
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(seconds))
            guard let self, !self.isStopping else { return }
            self.record(.wallTimeExceeded(seconds: seconds))
            _ = await self.stop()
        }
    }

    /// The limits in force.
    public var limits: ResourceLimits { state.withLock { $0.limits } }

    /// Gives a sandbox built ahead (with no memory, CPU, pids or wall-time limit: nothing of an agent runs in it
    /// yet) the limits of the session that takes it. The disk and open-files limits were fixed when it was
    /// built (a volume, a tmpfs, an rlimit of mlgym-init) and must already match. On a host without cgroups the memory and pids limits cannot be changed
    /// after the start, so such a sandbox is refused.
    public func applyLimits(_ limits: ResourceLimits) throws(MLGymError) {
        let current = self.limits
        guard limits.diskBytes == current.diskBytes, limits.openFiles == current.openFiles, limits.tmpBytes == current.tmpBytes else {
            throw MLGymError(.invalidState, "sandbox \(id) was built with other disk, /tmp or open-files limits")
        }
        let cgroupLimits = CgroupLimits(memoryBytes: limits.memoryBytes, cpus: limits.cpus, pids: limits.pids)
        if let cgroup {
            try cgroup.update(cgroupLimits)
        } else if cgroupLimits != CgroupLimits() {
            throw MLGymError(.unsupported, "sandbox \(id) has no cgroup: its limits cannot be changed after it started")
        }
        state.withLock { $0.limits = limits }
        if let seconds = limits.wallTimeSeconds { startWallClock(seconds) }
    }

    /// A directory for the daemon's work on this sandbox's files (evaluation copies of the workspace): on the
    /// sandbox's volume, so it counts against the same disk limit, and bound nowhere inside the sandbox.
    public var scratchDirectory: String { volumeHostPath + "/scratch" }

    // MARK: Processes

    /// Starts `argv` inside as the agent. With `terminal`, the process gets a PTY of the sandbox's own devpts as
    /// its controlling terminal; otherwise three pipes.
    public func spawn(
        _ argv: [String], workingDirectory: String? = nil, environment extra: [String: String] = [:],
        terminal: (rows: UInt16, cols: UInt16)? = nil
    ) async throws -> SandboxProcess {
        guard !argv.isEmpty else { throw MLGymError(.invalidArgument, "no command given") }
        var environment = self.environment
        environment.merge(extra) { _, new in new }
        let cwd = workingDirectory ?? spec.workspacePath
        if terminal != nil {
            let spawned = try await channel.spawn(
                argv: argv, environment: environment, workingDirectory: cwd, uid: spec.identity.uid,
                gid: spec.identity.gid, groups: supplementaryGroups, pty: terminal, stdio: [])
            return SandboxProcess(
                pid: spawned.pid, terminal: spawned.ptyMaster, standardInput: nil, standardOutput: nil,
                standardError: nil, requestID: spawned.requestID, channel: channel)
        }
        let input = try SystemCall.pipe()
        let output = try SystemCall.pipe()
        let errors = try SystemCall.pipe()
        defer {
            close(input.read)
            close(output.write)
            close(errors.write)
        }
        do {
            let spawned = try await channel.spawn(
                argv: argv, environment: environment, workingDirectory: cwd, uid: spec.identity.uid,
                gid: spec.identity.gid, groups: supplementaryGroups, pty: nil,
                stdio: [input.read, output.write, errors.write])
            return SandboxProcess(
                pid: spawned.pid, terminal: nil, standardInput: input.write, standardOutput: output.read,
                standardError: errors.read, requestID: spawned.requestID, channel: channel)
        } catch {
            close(input.write)
            close(output.read)
            close(errors.read)
            throw error
        }
    }

    /// Runs `argv` to completion and collects its output. When `timeout` runs out, the process group is killed
    /// and what it printed so far is returned with `timedOut` set.
    public func run(
        _ argv: [String], input: [UInt8] = [], workingDirectory: String? = nil,
        environment: [String: String] = [:], timeout: Duration? = nil
    ) async throws -> ProcessResult {
        let process = try await spawn(argv, workingDirectory: workingDirectory, environment: environment)
        guard let stdoutFD = process.standardOutput, let stderrFD = process.standardError,
              let stdinFD = process.standardInput
        else { throw MLGymError(.invalidState, "process \(argv[0]) has no pipes") }
        async let stdout = DescriptorIO.readAll(stdoutFD)
        async let stderr = DescriptorIO.readAll(stderrFD)
        async let fed: Void = DescriptorIO.writeAll(stdinFD, input)
        let timedOut = Flag()
        let watchdog = timeout.map { limit in
            Task {
                try await Task.sleep(for: limit)
                timedOut.set()
                process.signalGroup(SIGKILL)
            }
        }
        let status = await process.wait()
        watchdog?.cancel()
        _ = await fed
        return ProcessResult(
            status: status, standardOutput: await stdout, standardError: await stderr,
            timedOut: timedOut.isSet)
    }

    // MARK: Observation

    /// The cgroup's counters now, or nil when the sandbox has no cgroup (rootless without delegation).
    public func stats() -> CgroupStats? { cgroup?.stats() }

    /// Every event so far, oldest first.
    public func recordedEvents() -> [SandboxEvent] { state.withLock { $0.events } }

    /// Events from now on; the stream ends when the sandbox is stopped.
    public func events() -> AsyncStream<SandboxEvent> {
        AsyncStream { continuation in
            let finished = state.withLock { state in
                if state.teardown != nil { return true }
                state.listeners.append(continuation)
                return false
            }
            if finished { continuation.finish() }
        }
    }

    /// Host pids of every live process still in the sandbox's pid namespace (found by scanning /proc; zombies,
    /// which are dead and only wait to be reaped by whoever inherited them, do not count).
    public func hostProcesses() -> [Int32] {
        Self.processes(inPIDNamespace: pidNamespace)
    }

    /// Host pids of the sandbox's processes, read from its cgroup (one file) when it has one, else found by
    /// scanning /proc. Cheap enough for every `describe`; teardown uses the /proc scan, which sees everything.
    public func processIDs() -> [Int32] {
        cgroup?.processesInFirstHierarchy().sorted() ?? hostProcesses()
    }

    public var isStopping: Bool { state.withLock { $0.stopping } }

    private func record(_ event: SandboxEvent) {
        let listeners = state.withLock { state in
            state.events.append(event)
            return state.listeners
        }
        for listener in listeners { listener.yield(event) }
    }

    private func initEnded() {
        if !isStopping {
            record(.initExited)
            Task { _ = await self.stop() }
        }
    }

    // MARK: Teardown

    /// Kills everything in the sandbox and removes its cgroup, mounts and runtime directory. The volume image
    /// (workspace, overlay upper directory) is deleted unless `keepVolume`. Safe to call more than once.
    @discardableResult
    public func stop(keepVolume: Bool = false) async -> TeardownReport {
        await stopProcesses(keepVolume: keepVolume).value
    }

    /// `stop` in two halves, for a caller that answers its client in between: returns once no process of the
    /// sandbox is left (nothing of the agent runs or can write any more), with a task that removes the cgroup,
    /// the volume and the directories on a host-work thread and gives the report. A later call's task waits for
    /// the first one's removal.
    public func stopProcesses(keepVolume: Bool = false) async -> Task<TeardownReport, Never> {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return Task { await self.teardownReport() } }
        // Killing pid 1 of a pid namespace kills every process in it. Destroying the cgroup below kills
        // whatever might still be in it (nothing can leave the namespace: unshare and setns are filtered) and
        // fails unless it is empty.
        kill(initPID, SIGKILL)
        _ = await DescriptorIO.wait(pid: initPID)
        channel.close()
        return Task {
            let report = await HostWork.run { self.removeResources(keepVolume: keepVolume) }
            let (listeners, waiters) = self.state.withLock { state in
                state.events.append(SandboxEvent.stopped)
                state.teardown = report
                defer {
                    state.listeners = []
                    state.teardownWaiters = []
                }
                return (state.listeners, state.teardownWaiters)
            }
            for waiter in waiters { waiter.resume(returning: report) }
            for listener in listeners {
                listener.yield(.stopped)
                listener.finish()
            }
            return report
        }
    }

    /// The first `stop`'s report, once its removal is done.
    private func teardownReport() async -> TeardownReport {
        await withCheckedContinuation { (continuation: CheckedContinuation<TeardownReport, Never>) in
            let report = state.withLock { state in
                if state.teardown == nil { state.teardownWaiters.append(continuation) }
                return state.teardown
            }
            if let report { continuation.resume(returning: report) }
        }
    }

    /// Removes what the sandbox's processes leave: cgroup, volume, directories. Blocking (rmdir retries, umount,
    /// unlinking an image): on a host-work thread.
    private func removeResources(keepVolume: Bool) -> TeardownReport {
        var problems: [String] = []
        // The kernel kills the namespace with its pid 1, and pid 1's exit completes only once every other process
        // of the namespace has exited: after the reap nothing may be left. One look, for the report: in the
        // cgroup when there is one (a few files, where a /proc scan reads every process of the host).
        let left = cgroup?.processes() ?? hostProcesses()
        if !left.isEmpty { problems.append("processes still running: \(left)") }
        do {
            try cgroup?.destroy()
        } catch {
            problems.append(error.message)
        }
        volume?.remove(keepImage: keepVolume)
        if !keepVolume { try? FileManager.default.removeItem(atPath: stateDirectory) }
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
        return TeardownReport(
            processesLeft: left, cgroupRemoved: cgroup.map { $0.directories.allSatisfy { !FileManager.default.fileExists(atPath: $0) } } ?? true,
            volumeKept: keepVolume ? (volume?.imagePath ?? workspaceHostPath) : nil, problems: problems)
    }

    /// The inode of host process `pid`'s pid namespace; nil when it is gone.
    static func pidNamespace(of pid: Int32) -> UInt64? {
        var info = stat()
        return stat("/proc/\(pid)/ns/pid", &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// Whether host process `pid` runs inside this sandbox (in its pid namespace).
    public func contains(process pid: Int32) -> Bool {
        pidNamespace != 0 && Self.pidNamespace(of: pid) == pidNamespace
    }

    static func processes(inPIDNamespace namespace: UInt64) -> [Int32] {
        // readdir and stat directly: this runs at every teardown, and Foundation's directory listing costs more
        // than the scan itself.
        guard namespace != 0, let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name) else { continue }
            guard pidNamespace(of: pid) == namespace else { continue }
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?
                .split(separator: ")").last?.split(separator: " ").first
            if state != "Z" && state != "X" { found.append(pid) }
        }
        return found.sorted()
    }
}

/// What `stop()` found and did.
public struct TeardownReport: Sendable, Equatable {
    /// Host pids still in the sandbox's pid namespace after the kill (empty unless something is badly wrong).
    public var processesLeft: [Int32]
    public var cgroupRemoved: Bool
    /// The kept volume image or workspace, when asked to keep it.
    public var volumeKept: String?
    public var problems: [String]
}

/// A flag set once from another task.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Lets the init channel call back into the sandbox without a retain cycle.
private final class WeakBox: @unchecked Sendable {
    weak var sandbox: Sandbox?
}
