import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymTasks

/// What a session on a task needs beyond a bare sandbox, decided before the sandbox is built: the task's
/// data bound read-only (shared by every session, never copied), the dataset cache, the agent's tools and its
/// own socket. The starter files are copied in after the sandbox is built and before its shell starts, so the
/// agent never runs while they are being written.
struct TaskSessionSetup: Sendable {
    let task: BenchmarkTask
    let agentSocket: AgentSocket?

    /// Copies the starter files into the workspace, owned by the agent.
    func populateWorkspace(of sandbox: Sandbox) throws(MLGymError) {
        let workspace = sandbox.workspaceHostPath
        // The host's view of the agent: in rootless mode the daemon's own ids, which the agent's map to.
        let owner = "\(sandbox.agentHostUID):\(sandbox.agentHostGID)"
        for entry in task.config.starterCode {
            let name = (entry as NSString).lastPathComponent
            let destination = workspace + "/" + name
            try HostCommand.run("/bin/cp", ["-a", "--no-preserve=ownership", "--", task.hostPath(entry), destination], doing: "copy the starter file \(entry)")
            try HostCommand.run("/bin/chown", ["-R", "--no-dereference", owner, "--", destination], doing: "give \(name) to the agent")
        }
        if task.config.evaluationReadOnly {
            // Cosmetic, as in MLGym (the agent owns the file): the evaluation never uses this copy anyway.
            for path in task.config.evaluationPaths { chmod(workspace + "/" + path, 0o444) }
        }
    }
}

extension SessionManager {
    /// The task, when this host can run it; otherwise an error that says why.
    func runnableTask(_ taskID: String) async throws(MLGymError) -> BenchmarkTask {
        guard let tasks else { throw MLGymError(.notFound, "unknown task '\(taskID)': this mlgymd has no tasks (see --tasks-dir)") }
        let task = try tasks.task(taskID)
        let readiness = await tasks.readiness(of: task)
        guard readiness.runnable else {
            throw MLGymError(.unsupported, "task \(taskID) cannot run on this host: \(readiness.blockers.joined(separator: "; "))")
        }
        return task
    }

    /// Adds the task's binds, environment and GPUs to `sandboxSpec`, fetches hub datasets into the cache, and
    /// opens the agent socket.
    func prepareTaskSession(
        _ task: BenchmarkTask, sandboxSpec: inout SandboxSpec, sessionID: String, requestedGPUs: String?,
        services: AgentSocket.Services = .init()
    ) async throws(MLGymError) -> TaskSessionSetup {
        guard let tasks else { throw MLGymError(.notFound, "this mlgymd has no tasks") }
        if task.config.gpus > 0 && requestedGPUs == nil {
            sandboxSpec.gpus = .devices((0..<task.config.gpus).map(String.init))
        }
        for dataset in task.hubDatasets {
            try await tasks.hubCache.ensureOffThread(dataset.dataPath, kind: dataset.hubKind, howToProvide: dataset.howToGet)
        }
        for data in task.localDataBinds {
            sandboxSpec.binds.append(.init(hostPath: data.hostPath, sandboxPath: sandboxSpec.workspacePath + "/" + data.workspacePath))
        }
        sandboxSpec.environment["MLGYM_TASK"] = task.id
        if !task.hubDatasets.isEmpty {
            sandboxSpec.binds.append(.init(hostPath: tasks.hubCache.directory, sandboxPath: HubCache.sandboxPath))
            sandboxSpec.environment.merge(HubCache.offlineEnvironment) { _, new in new }
        }
        var agentSocket: AgentSocket?
        if let agentTools {
            let path = engine.configuration.runtimeDirectory + "/agent-sockets/" + sessionID + ".sock"
            let owner = engine.rootless ? (getuid(), getgid()) : (sandboxSpec.identity.uid, sandboxSpec.identity.gid)
            let socket = try await AgentSocket.open(
                at: path, owner: owner, sessionID: sessionID, manager: self, services: services, sharing: agentSocketGroup)
            agentSocket = socket
            let additions = agentTools.sandboxAdditions(agentSocket: path)
            sandboxSpec.binds += additions.binds
            sandboxSpec.environment.merge(additions.environment) { _, new in new }
        }
        return TaskSessionSetup(task: task, agentSocket: agentSocket)
    }
}
