import ArgumentParser
import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore

/// What `mlgymctl run` asks mlgymd for, as options.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Task id (as `mlgymctl tasks` lists it).", valueName: "id"))
    var task: String?
    @Option(help: ArgumentHelp("openai:NAME, anthropic:NAME, replay:FILE (a .traj file) or human.", valueName: "spec"))
    var model: String?
    @Option(name: .customLong("api-base"), help: ArgumentHelp("The provider's base URL ending in /v1 (vLLM, llama.cpp, Ollama, a proxy); default the provider's own.", valueName: "url"))
    var apiBase: String?
    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("Environment variable holding the key (default OPENAI_API_KEY or ANTHROPIC_API_KEY). The key goes to mlgymd for this run only and is never stored.", valueName: "name"))
    var apiKeyVariable: String?
    @Option(help: "Runs (seeds) to make, each in its own session.")
    var seeds = 1
    @Option(help: "Runs at once.")
    var parallel = 1
    @Option(name: .customLong("max-steps"), help: "Actions per run before it is auto-submitted (MLGym-Bench: 50).")
    var maxSteps = 50
    @Option(name: .customLong("cost-limit"), help: ArgumentHelp("Dollars one run may spend; 0 for no limit (MLGym-Bench: 4).", valueName: "usd"))
    var costLimit: Double = 0
    @Option(name: .customLong("campaign-cost-limit"), help: ArgumentHelp("Dollars all runs of the campaign together may spend; 0 for no limit.", valueName: "usd"))
    var campaignCostLimit: Double = 0
    @Option(help: ArgumentHelp("Name the runs' campaign (reports group by it); default a new one.", valueName: "name"))
    var campaign: String?
    @Option(help: "Sampling temperature (MLGym-Bench: 0).")
    var temperature: Double = 0
    @Option(name: .customLong("top-p"), help: "Nucleus sampling (MLGym-Bench: 0.95).")
    var topP = 0.95
    @Option(help: "Observations the model sees whole; older ones are elided (MLGym: 5).")
    var history = 5
    @Option(name: .customLong("observation-limit"), help: "Characters of one command's output shown to the agent; the middle of a longer one is cut with a marker.")
    var observationLimit = 20_000
    @Option(name: .customLong("no-output-timeout"), help: ArgumentHelp("Seconds a command may print nothing before it is stopped (never more than the task's training_timeout).", valueName: "seconds"))
    var noOutputTimeout: Double = 600
    @Option(help: ArgumentHelp("Dollars per million input and output tokens, for a model mlgymd has no price for.", valueName: "in:out"))
    var price: String?
    @Option(help: ArgumentHelp("Memory limit of each run's session, e.g. 8G.", valueName: "size"))
    var memory: String?
    @Option(help: ArgumentHelp("CPU limit of each run's session.", valueName: "n"))
    var cpus: Double?
    @Option(help: ArgumentHelp("GPUs of each run's session: none, all, or indices/UUIDs.", valueName: "list"))
    var gpus: String?
    @Option(help: ArgumentHelp("Network of each run's session: packages (the default: only a proxy to the package indexes mlgymd allows, so the agent can pip install, as MLGym's agents could), none, loopback or host.", valueName: "mode"))
    var network: String?
    @Option(name: .customLong("agent-config"), help: ArgumentHelp("An MLGym agent config (e.g. <MLGym checkout>/configs/agents/default.yaml): its prompts, demonstrations, history processor and blocklist. Files it names are found beside it or in a directory above it, as MLGym resolves them from its checkout.", valueName: "file.yaml"))
    var agentConfig: String?
    @Option(help: ArgumentHelp("Loop limits: default (mlgym's: every action gets the task's training_timeout, 600 s without output, observations cut at 20,000 characters, interactive programs refused) or parity (MLGym's: 25 s for an action that is not training, 3600 s without output, observations whole, no blocklist).", valueName: "default|parity"))
    var profile: String?
    @Flag(help: "Keep each run's session running after the run (to look around in it).")
    var keep = false
    @Option(name: .customLong("snapshot-on"), help: ArgumentHelp("validate: each run's session takes a snapshot at every validate, so its best attempt stays restorable (mlgymctl fork RUN@best).", valueName: "validate"))
    var snapshotOn: String?
    @Flag(name: .customLong("with-memory"), help: "Give the agent its memory: memory_write, memory_read, and the count and keywords in every message (MLGym's memory agent).")
    var withMemory = false
    @Option(name: .customLong("memory-scope"), help: ArgumentHelp("The memory scope (default task:<task>, shared by the task's runs).", valueName: "name"))
    var memoryScope: String?
    @Flag(name: .customLong("with-literature"), help: "Document literature_search and parse_pdf in the agent's prompt (--with-memory includes them, as MLGym's memory agent does).")
    var withLiterature = false

    /// The request, with the key from the environment and a replay's responses from its file.
    func request() throws -> RunRequest {
        guard let task, let model else { throw ValidationError("give --task and --model (or --resume RUN)") }
        if let network, !["none", "loopback", "packages", "host"].contains(network) {
            throw ValidationError("--network must be packages, none, loopback or host")
        }
        if let snapshotOn, snapshotOn != "validate" { throw ValidationError("--snapshot-on must be validate") }
        let spec = try ModelSpec(parsing: model)
        var request = RunRequest(
            task: task, model: model, apiBase: apiBase, apiKey: key(for: spec), seeds: seeds, parallel: parallel,
            maxSteps: maxSteps, costLimit: costLimit, campaignCostLimit: campaignCostLimit, campaign: campaign,
            temperature: temperature, topP: topP, historyKeep: history, observationLimit: observationLimit,
            noOutputTimeout: noOutputTimeout, memory: memory, cpus: cpus, gpus: gpus, keepSessions: keep, useMemory: withMemory,
            memoryScope: memoryScope, useLiterature: withLiterature, network: network,
            agentConfig: try agentConfig.map(AgentConfigFiles.read), profile: profile, snapshotOn: snapshotOn)
        if case .replay(let file) = spec {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw MLGymError(.notFound, "cannot read the trajectory \(file): \(error.localizedDescription)")
            }
            request.replayResponses = try ReplayTrajectory.responses(from: data)
        }
        if let price {
            let parts = price.split(separator: ":").compactMap { Double($0) }
            guard parts.count == 2, parts.allSatisfy({ $0 >= 0 }) else {
                throw ValidationError("--price '\(price)' must be INPUT:OUTPUT dollars per million tokens, e.g. 2.5:10")
            }
            request.price = RunRequest.Price(inputPerMillion: parts[0], outputPerMillion: parts[1])
        }
        return request
    }

    /// The provider's key from the environment, when the model has a provider.
    func key(for spec: ModelSpec) -> String? {
        let variable: String
        switch spec {
        case .openAI: variable = apiKeyVariable ?? "OPENAI_API_KEY"
        case .anthropic: variable = apiKeyVariable ?? "ANTHROPIC_API_KEY"
        case .replay, .human: return nil
        }
        return ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
