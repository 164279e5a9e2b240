import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCampaign
import MLGymCore

/// The mlgymd request for one run of a campaign, the same on a laptop and on a Slurm node.
enum CampaignRequest {
    /// - Parameters: costLimit: the run's dollar limit (its share on Slurm); campaignCostLimit: the campaign-wide
    ///   limit mlgymd keeps across the runs it holds (local campaigns); gpus: the session's GPU selection.
    static func make(_ spec: CampaignSpec, run: CampaignRun, costLimit: Double, campaignCostLimit: Double, gpus: String) throws(MLGymError) -> RunRequest {
        guard let model = spec.model(named: run.model) else {
            throw MLGymError(.invalidArgument, "the campaign has no model \(run.model)")
        }
        let parsed = try ModelSpec(parsing: model.spec)
        var request = RunRequest(
            task: run.task, model: model.spec, apiBase: model.apiBase, apiKey: try key(for: parsed, model: model), seeds: 1, parallel: 1,
            maxSteps: spec.limits.steps, costLimit: costLimit, campaignCostLimit: campaignCostLimit, campaign: spec.name,
            memory: spec.resources.memory, cpus: spec.resources.cpus, gpus: gpus, useMemory: spec.withMemory,
            method: model.name, firstSeed: run.seed, timeLimit: spec.limits.time, network: spec.resources.network,
            profile: spec.profile)
        if let config = spec.agentConfig {
            do {
                request.agentConfig = try AgentConfigFiles.read(config)
            } catch let error as MLGymError {
                throw error
            } catch {
                throw MLGymError(.notFound, "agent.config \(config): \(error)")
            }
        }
        if let price = model.price {
            request.price = RunRequest.Price(inputPerMillion: price.inputPerMillion, outputPerMillion: price.outputPerMillion)
        }
        if case .replay(let file) = parsed {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MLGymError(.notFound, "model \(model.name): cannot read the trajectory \(file)")
            }
            do {
                request.replayResponses = try ReplayTrajectory.responses(from: data)
            } catch {
                throw MLGymError(.parse, "model \(model.name): \(file) is not a trajectory: \(error)")
            }
        }
        return request
    }

    /// The model's key from this process's environment (resuming a run needs it again).
    static func key(for model: CampaignSpec.Model) throws(MLGymError) -> String? {
        try key(for: try ModelSpec(parsing: model.spec), model: model)
    }

    /// The provider's key from this process's environment; a missing one is an error before anything starts.
    static func key(for parsed: ModelSpec, model: CampaignSpec.Model) throws(MLGymError) -> String? {
        let variable: String
        switch parsed {
        case .openAI: variable = model.apiKeyEnvironment ?? "OPENAI_API_KEY"
        case .anthropic: variable = model.apiKeyEnvironment ?? "ANTHROPIC_API_KEY"
        case .replay, .human: return nil
        }
        let key = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        // A local server (vLLM, llama.cpp) may need no key; the provider's own endpoint does.
        if key == nil, model.apiBase == nil, model.apiKeyEnvironment != nil {
            throw MLGymError(.invalidArgument, "model \(model.name) needs \(variable) set in the environment")
        }
        return key
    }
}
