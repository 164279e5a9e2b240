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
        public var rootFilesystem: SandboxSpec.RootFilesystem
        public var limits: ResourceLimits
        public var gpus: GPUSelection
        /// The shared Hugging Face cache, bound read-only; nil when the task uses none.
        public var hubCache: String?
        /// Where the snapshot is made; removed afterwards.
        public var scratchDirectory: String

        public init(
            task: BenchmarkTask, workspaceHostPath: String, identity: SandboxSpec.Identity,
            rootFilesystem: SandboxSpec.RootFilesystem, limits: ResourceLimits, gpus: GPUSelection,
            hubCache: String?, scratchDirectory: String
        ) {
            self.task = task
            self.workspaceHostPath = workspaceHostPath
            self.identity = identity
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
    /// Seconds an evaluation may take when a test wants less than the task's training_timeout.
    let timeoutOverride: Double?

    public init(engine: SandboxEngine, timeoutOverride: Double? = nil) {
        self.engine = engine
        self.timeoutOverride = timeoutOverride
    }

    public func evaluate(_ context: Context) async -> EvaluationOutcome {
        let clock = ContinuousClock.now
        var outcome: EvaluationOutcome
        do {
            outcome = try await run(context)
        } catch {
            outcome = EvaluationOutcome(status: .failed, message: "the evaluation could not run: \((error as? MLGymError)?.message ?? "\(error)")")
        }
        let elapsed = ContinuousClock.now - clock
        outcome.durationMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        WorkspaceSnapshot.discard(context.scratchDirectory)
        return outcome
    }

    private func run(_ context: Context) async throws -> EvaluationOutcome {
        let task = context.task
        let snapshot = try WorkspaceSnapshot(of: context.workspaceHostPath, in: context.scratchDirectory)
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
        var environment = ["PYTHONDONTWRITEBYTECODE": "1", "MLGYM_EVALUATION": "1", "MLGYM_TASK": task.id]
        if let hubCache = context.hubCache {
            binds.append(.init(hostPath: hubCache, sandboxPath: HubCache.sandboxPath))
            environment.merge(HubCache.offlineEnvironment) { _, new in new }
        }
        let timeout = timeoutOverride ?? Double(task.config.trainingTimeout)
        var limits = context.limits
        limits.diskBytes = nil
        limits.wallTimeSeconds = timeout + 120
        var spec = SandboxSpec(
            rootFilesystem: context.rootFilesystem, workspaceHostPath: snapshot.path, binds: binds,
            identity: context.identity, hostname: "mlgym-eval", environment: environment, limits: limits,
            network: .none, gpus: context.gpus)
        spec.workspaceReadOnly = true
        let sandbox = try await engine.create(spec)
        do {
            let outcome = try await evaluate(task, in: sandbox, timeout: timeout)
            _ = await sandbox.stop()
            return outcome
        } catch {
            _ = await sandbox.stop()
            throw error
        }
    }

    private func evaluate(_ task: BenchmarkTask, in sandbox: Sandbox, timeout: Double) async throws -> EvaluationOutcome {
        let artefact = task.config.submissionArtefact.map { Self.workspacePath + "/" + $0 }
        var digest: String?
        if let artefact {
            let result = try await sandbox.run(["python3", "-c", Self.digestScript, artefact], timeout: .seconds(600))
            let answer = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if answer == "missing" {
                return EvaluationOutcome(
                    status: .artefactMissing, artefactPath: artefact,
                    message: "Submission artefact not found: \(artefact) does not exist. Produce it as the task description says, then validate again.")
            }
            guard case .exited(0) = result.status, answer.count == 64 else {
                return EvaluationOutcome(status: .failed, artefactPath: artefact, message: "cannot read the artefact \(artefact): \(MetricsParser.tail(result.errorOutput, lines: 5))")
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
    /// It runs inside the evaluation sandbox, so a symlink can lead only to what the sandbox holds.
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
