import Foundation
import MLGymCampaign
import MLGymCore
import Testing

@Suite struct CampaignSpecTests {
    static let full = """
        name: nightly
        tasks: [prisonersDilemma, blotto]
        models:
          - name: gpt-4o
            spec: openai:gpt-4o
            price: {input: 2.5, output: 10}
          - name: local-qwen
            spec: openai:qwen2.5-coder
            api_base: http://127.0.0.1:8000/v1
            api_key_env: VLLM_KEY
            price: "0:0"
          - name: demo
            spec: replay:demos/pd.traj
        seeds: [0, 1, 2]
        limits:
          steps: 30
          run_cost: 4
          campaign_cost: 100
          time: 2h
        resources:
          gpus: 1
          memory: 16G
          cpus: 4
          network: none
        agent:
          memory: true
          config: mlgym/configs/agents/default.yaml
          profile: parity
        results: /shared/results/nightly
        """

    func parse(_ text: String) throws -> CampaignSpec {
        try CampaignSpec.parse(text, file: "c.yaml", directory: "/home/me/campaigns")
    }

    /// The error's message for `text`, which must not parse.
    func failure(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "parsed"
        } catch let error as MLGymError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func everyFieldIsRead() throws {
        let spec = try parse(Self.full)
        #expect(spec.name == "nightly")
        #expect(spec.tasks == ["prisonersDilemma", "blotto"])
        #expect(spec.models.map(\.name) == ["gpt-4o", "local-qwen", "demo"])
        #expect(spec.models[0].price == CampaignSpec.Price(inputPerMillion: 2.5, outputPerMillion: 10))
        #expect(spec.models[1].apiBase == "http://127.0.0.1:8000/v1")
        #expect(spec.models[1].apiKeyEnvironment == "VLLM_KEY")
        #expect(spec.models[1].price == CampaignSpec.Price(inputPerMillion: 0, outputPerMillion: 0))
        // Replay files are taken from the campaign file's directory.
        #expect(spec.models[2].spec == "replay:/home/me/campaigns/demos/pd.traj")
        #expect(spec.seeds == [0, 1, 2])
        #expect(spec.limits.steps == 30 && spec.limits.runCost == 4 && spec.limits.campaignCost == 100 && spec.limits.time == 7200)
        #expect(spec.resources.gpus == 1 && spec.resources.memory == "16G" && spec.resources.cpus == 4)
        #expect(spec.resources.network == "none")
        #expect(spec.withMemory)
        #expect(spec.agentConfig == "/home/me/campaigns/mlgym/configs/agents/default.yaml")
        #expect(spec.profile == "parity")
        #expect(failure(Self.full.replacingOccurrences(of: "profile: parity", with: "profile: quick")).contains("agent.profile must be default or parity, not 'quick'"))
        #expect(failure(Self.full.replacingOccurrences(of: "network: none", with: "network: everything")).contains("resources.network must be packages, none, loopback or host"))
        #expect(spec.results == "/shared/results/nightly")
    }

    @Test func runsAreTaskThenModelThenSeedWithStableKeys() throws {
        let runs = try parse(Self.full).runs
        #expect(runs.count == 2 * 3 * 3)
        #expect(runs.map(\.index) == Array(0..<18))
        #expect(runs[0] == CampaignRun(index: 0, task: "prisonersDilemma", model: "gpt-4o", seed: 0))
        #expect(runs[4] == CampaignRun(index: 4, task: "prisonersDilemma", model: "local-qwen", seed: 1))
        #expect(runs[17].key == "blotto+demo+seed2")
        #expect(Set(runs.map(\.key)).count == runs.count)
    }

    @Test func defaultsAreMLGymBenchsAndResultsSitBesideTheFile() throws {
        let spec = try parse("name: small\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:gpt-4o'}]\n")
        #expect(spec.seeds == [0])
        #expect(spec.limits.steps == 50 && spec.limits.runCost == 0 && spec.limits.campaignCost == 0 && spec.limits.time == 0)
        #expect(spec.resources.gpus == 0 && spec.resources.memory == nil)
        #expect(spec.results == "/home/me/campaigns/results/small")
        #expect(try parse("name: s\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:x'}]\nseeds: 4\n").seeds == [0, 1, 2, 3])
    }

    @Test func errorsNameTheLine() {
        #expect(failure("name: x\ntasks: [blotto]\nmodels:\n  - name: a\n    spec: openai:gpt-4o\n    temprature: 0\n")
            == "c.yaml:6: unknown field 'temprature' in a model (known: name, spec, api_base, api_key_env, price)")
        #expect(failure("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:x'}]\nlimits:\n  steps: many\n")
            == "c.yaml:5: limits.steps must be a whole number")
        #expect(failure("name: x\ntasks: [blotto, blotto]\nmodels: [{name: a, spec: 'openai:x'}]\n") == "c.yaml:2: task blotto is listed twice")
        #expect(failure("name: x\ntasks: [blotto]\nmodels:\n  - {name: a, spec: 'openai:x'}\n  - {name: a, spec: 'openai:y'}\n")
            == "c.yaml:5: model name a is used twice")
        #expect(failure("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: human}]\n").contains("cannot use the human model"))
        #expect(failure("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: 'gemini:pro'}]\n").contains("is not openai:NAME, anthropic:NAME or replay:FILE"))
        #expect(failure("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:x'}]\nlimits: {time: soon}\n").hasPrefix("c.yaml:4: limits.time must be a duration"))
        #expect(failure("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:x'}]\nresources: {memory: lots}\n").hasPrefix("c.yaml:4: resources.memory 'lots'"))
        #expect(failure("name: x\ntasks: [blotto]\n") == "c.yaml:1: 'models' is missing")
        #expect(failure("name: 'a b'\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:x'}]\n").hasPrefix("c.yaml:1: name 'a b' may hold only"))
        #expect(failure("name: x\ntasks: [../etc]\nmodels: [{name: a, spec: 'openai:x'}]\n").contains("may hold only letters"))
        #expect(failure("name: x\n  tasks: [\n").hasPrefix("c.yaml:2: not valid YAML"))
        #expect(failure("") == "c.yaml: the file is empty (see docs/campaigns.md)")
    }

    @Test func durations() {
        #expect(DurationText.seconds("90m") == 5400)
        #expect(DurationText.seconds("2h") == 7200)
        #expect(DurationText.seconds("1.5d") == 129_600)
        #expect(DurationText.seconds("3600") == 3600)
        #expect(DurationText.seconds("45s") == 45)
        #expect(DurationText.seconds("soon") == nil)
        #expect(DurationText.seconds("-5m") == nil)
        #expect(DurationText.slurm(7200 + 900) == "02:15:00")
        #expect(DurationText.slurm(61) == "00:02:00")
        #expect(DurationText.slurm(2 * 86400 + 3600) == "2-01:00:00")
    }
}
