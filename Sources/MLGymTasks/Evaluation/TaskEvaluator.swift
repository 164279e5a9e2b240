import Foundation
import MLGymCore
import MLGymSandbox

/// Runs a task's evaluation on an agent's workspace in a sandbox of its own: a read-only snapshot of the
/// workspace with the task's pristine evaluation files put back, the hidden files at `/home/agent/hidden`, the
/// data read-only, no network, and the task's training_timeout. Nothing the agent can reach is trusted.
public struct TaskEvaluator: Sendable {
    /// Everything about the session the evaluation needs.
    public struct Context: Sendable {
        public var task: BenchmarkTask
        /// The live workspace on the host (copied, never bound).
        public var workspaceHostPath: String
        /// The agent's identity, so the snapshot's files (the agent's) are readable to the evaluation.
        public var identity: SandboxSpec.Identity
        /// The agent's uid and gid on the host (the snapshot directory is theirs while it is filled).
        public var agentHostUID: UInt32
        public var agentHostGID: UInt32
        /// Ends the evaluation when the session ends.
        public var lifetime: EvaluationGuard
        public var rootFilesystem: SandboxSpec.RootFilesystem
        public var limits: ResourceLimits
        public var gpus: GPUSelection
        /// The shared Hugging Face cache, bound read-only; nil when the task uses none.
        public var hubCache: String?
        /// Where the snapshot is made; removed afterwards.
        public var scratchDirectory: String

        public init(
            task: BenchmarkTask, workspaceHostPath: String, identity: SandboxSpec.Identity, agentHostUID: UInt32,
            agentHostGID: UInt32, lifetime: EvaluationGuard, rootFilesystem: SandboxSpec.RootFilesystem,
            limits: ResourceLimits, gpus: GPUSelection, hubCache: String?, scratchDirectory: String
        ) {
            self.task = task
            self.workspaceHostPath = workspaceHostPath
            self.identity = identity
            self.agentHostUID = agentHostUID
            self.agentHostGID = agentHostGID
            self.lifetime = lifetime
            self.rootFilesystem = rootFilesystem
            self.limits = limits
            self.gpus = gpus
            self.hubCache = hubCache
            self.scratchDirectory = scratchDirectory
        }
    }

    public static let workspacePath = "/home/agent/workspace"
    public static let hiddenPath = "/home/agent/hidden"
    /// The evaluation's output kept in records and answers (the tail).
    static let outputLimit = 16 * 1024

    let engine: SandboxEngine

    public init(engine: SandboxEngine) {
        self.engine = engine
    }

    public func evaluate(_ context: Context) async -> EvaluationOutcome {
        let clock = ContinuousClock.now
        var outcome: EvaluationOutcome
        do {
            outcome = try await run(context)
        } catch {
            let reason = context.lifetime.hasEnded ? "the session ended" : (error as? MLGymError)?.message ?? "\(error)"
            outcome = EvaluationOutcome(status: .error, message: "the evaluation could not run: \(reason)")
        }
        if context.lifetime.hasEnded && outcome.status != .succeeded {
            // The session's end killed the evaluation's processes: that outcome is mlgym's, not the agent's.
            outcome.status = .error
            outcome.message = "the evaluation could not finish: the session ended"
        }
        let elapsed = ContinuousClock.now - clock
        outcome.durationMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        WorkspaceSnapshot.discard(context.scratchDirectory)
        return outcome
    }

    private func run(_ context: Context) async throws -> EvaluationOutcome {
        let task = context.task
        let snapshot = try await copyWorkspace(context)
        if let artefact = task.config.submissionArtefact, let problem = snapshot.artefactProblem(in: artefact) {
            return EvaluationOutcome(status: .failed, artefactPath: Self.workspacePath + "/" + artefact, message: problem)
        }
        for file in task.pristineEvaluationFiles() {
            try snapshot.restore(file.workspacePath, from: file.hostPath)
        }
        var binds: [SandboxSpec.Bind] = []
        for data in task.localDataBinds {
            guard FileManager.default.fileExists(atPath: data.hostPath) else {
                throw MLGymError(.notFound, "the task's data is missing on the host: \(data.hostPath)")
            }
            try snapshot.makeMountPoint(data.workspacePath)
            binds.append(.init(hostPath: data.hostPath, sandboxPath: Self.workspacePath + "/" + data.workspacePath))
        }
        for secret in task.config.secretFiles {
            binds.append(.init(hostPath: task.hostPath(secret), sandboxPath: Self.hiddenPath + "/" + (secret as NSString).lastPathComponent))
        }
        var environment = [
            "PYTHONDONTWRITEBYTECODE": "1", "MLGYM_EVALUATION": "1", "MLGYM_TASK": task.id,
            // Compiled modules only from (and to) an empty place: a `__pycache__/target.cpython-311.pyc` the
            // agent crafted beside a restored target.py is never read.
            "PYTHONPYCACHEPREFIX": "/tmp/mlgym-pycache",
        ]
        if let hubCache = context.hubCache {
            binds.append(.init(hostPath: hubCache, sandboxPath: HubCache.sandboxPath))
            environment.merge(HubCache.offlineEnvironment) { _, new in new }
        }
        let timeout = Double(task.config.trainingTimeout)
        var limits = context.limits
        limits.diskBytes = nil
        limits.wallTimeSeconds = timeout + Self.digestTimeout + 60
        var spec = SandboxSpec(
            rootFilesystem: context.rootFilesystem, workspaceHostPath: snapshot.path, binds: binds,
            identity: context.identity, hostname: "mlgym-eval", environment: environment, limits: limits,
            network: .none, gpus: context.gpus)
        spec.workspaceReadOnly = true
        return try await within(context.lifetime, try await engine.create(spec)) { sandbox in
            try await runEvaluation(task, in: sandbox, timeout: timeout)
        }
    }

    /// Copies the live workspace inside a sandbox of its own, as the agent: the agent keeps running while it
    /// is copied and may swap a directory for a symlink at any moment, and inside that sandbox a symlink can
    /// only lead to what the agent could reach anyway (never a host file). Symlinks are copied as links.
    private func copyWorkspace(_ context: Context) async throws -> WorkspaceSnapshot {
        let snapshot = try WorkspaceSnapshot(in: context.scratchDirectory, owner: (context.agentHostUID, context.agentHostGID))
        var limits = context.limits
        limits.diskBytes = nil
        limits.wallTimeSeconds = 3600
        let spec = SandboxSpec(
            rootFilesystem: context.rootFilesystem, workspaceHostPath: snapshot.path,
            binds: [.init(hostPath: context.workspaceHostPath, sandboxPath: "/mnt/live")],
            identity: context.identity, hostname: "mlgym-copy", limits: limits, network: .none)
        let result = try await within(context.lifetime, try await engine.create(spec)) { sandbox in
            try await sandbox.run(["cp", "-a", "--reflink=auto", "--", "/mnt/live/.", Self.workspacePath + "/"], timeout: .seconds(3000))
        }
        guard case .exited(0) = result.status, !result.timedOut else {
            throw MLGymError(.system, "cannot copy the workspace for evaluation: \(MetricsParser.tail(result.errorOutput, lines: 5))")
        }
        return snapshot
    }

    /// Runs `body` with `sandbox`, which is stopped afterwards, or at once when the session ends meanwhile.
    private func within<T>(_ lifetime: EvaluationGuard, _ sandbox: Sandbox, _ body: (Sandbox) async throws -> T) async throws -> T {
        guard lifetime.adopt(sandbox) else {
            _ = await sandbox.stop()
            throw MLGymError(.invalidState, "the session ended")
        }
        defer { lifetime.release(sandbox) }
        do {
            let value = try await body(sandbox)
            _ = await sandbox.stop()
            return value
        } catch {
            _ = await sandbox.stop()
            throw error
        }
    }

    static let digestTimeout: Double = 600

    private func runEvaluation(_ task: BenchmarkTask, in sandbox: Sandbox, timeout: Double) async throws -> EvaluationOutcome {
        let artefact = task.config.submissionArtefact.map { Self.workspacePath + "/" + $0 }
        var digest: String?
        if let artefact {
            let result = try await sandbox.run(["python3", "-I", "-c", Self.digestScript, artefact], timeout: .seconds(Self.digestTimeout))
            let answer = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if answer == "missing" {
                return EvaluationOutcome(
                    status: .artefactMissing, artefactPath: artefact,
                    message: "Submission artefact not found: \(artefact) does not exist. Produce it as the task description says, then validate again.")
            }
            guard case .exited(0) = result.status, answer.count == 64 else {
                let reason = result.timedOut ? "reading it took more than \(Int(Self.digestTimeout)) s"
                    : MetricsParser.tail(result.errorOutput, lines: 5).trimmingCharacters(in: .whitespacesAndNewlines)
                return EvaluationOutcome(
                    status: .failed, artefactPath: artefact,
                    message: "cannot read the artefact \(artefact): \(reason.isEmpty ? "\(result.status)" : reason)")
            }
            digest = answer
        }
        let script = task.config.evaluationPaths[0]
        let command = task.config.entrypoint.evaluationCommand(script: script, artefactPath: artefact, gpus: task.config.gpus)
        let result = try await sandbox.run(command, timeout: .milliseconds(Int64(timeout * 1000)))
        let output = Self.clip(result.output + (result.errorOutput.isEmpty ? "" : (result.output.isEmpty ? "" : "\n") + result.errorOutput))
        var outcome = EvaluationOutcome(status: .failed, artefactPath: artefact, artefactDigest: digest, output: output)
        if result.timedOut {
            outcome.status = .timedOut
            outcome.message = "the evaluation ran past the task's training_timeout of \(Int(timeout)) s and was killed"
            return outcome
        }
        guard case .exited(0) = result.status else {
            let reason = MetricsParser.tail(result.errorOutput.isEmpty ? result.output : result.errorOutput, lines: 10)
            outcome.message = "the evaluation failed (\(result.status)): \(reason.trimmingCharacters(in: .whitespacesAndNewlines))"
            return outcome
        }
        do {
            outcome.metrics = try MetricsParser.metrics(in: result.output)
            outcome.status = .succeeded
        } catch {
            outcome.message = error.message
        }
        return outcome
    }

    private static func clip(_ text: String) -> String {
        text.utf8.count <= outputLimit ? text : "…" + String(decoding: text.utf8.suffix(outputLimit), as: UTF8.self)
    }

    /// Prints the SHA-256 of a file, or of a directory's sorted relative names and contents, or "missing".
    /// `python3 -I`: the workspace (the current directory) is not on its module path, so a workspace
    /// `hashlib.py` is not imported. The artefact holds no symlinks (checked on the host before).
    static let digestScript = """
        import hashlib, os, sys
        path = sys.argv[1]
        if not os.path.exists(path):
            print("missing"); sys.exit(0)
        digest = hashlib.sha256()
        def add(name, full):
            digest.update(name.encode() + b"\\0")
            with open(full, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if os.path.isfile(full):
                        add(os.path.relpath(full, path), full)
        else:
            add(os.path.basename(path), path)
        print(digest.hexdigest())
        """
}
