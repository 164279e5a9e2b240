import Foundation
import MLGymCore
internal import Yams

extension CampaignSpec {
    /// Reads and checks a campaign file. Every error names the file and line: `nightly.yaml:7: …`. Relative
    /// paths are read against `baseDirectory`, by default the file's own directory (a Slurm element reads the
    /// copy made at submission against the original's).
    public static func load(_ path: String, baseDirectory: String? = nil) throws(MLGymError) -> CampaignSpec {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw MLGymError(.notFound, "cannot read the campaign file \(path): \((error as NSError).localizedDescription)")
        }
        return try parse(text, file: path, directory: baseDirectory ?? url.deletingLastPathComponent().path)
    }

    /// Parses a campaign's YAML; relative paths (replay files, results) are taken from `directory`.
    public static func parse(_ text: String, file: String, directory: String) throws(MLGymError) -> CampaignSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let YamlError.scanner(_, problem, mark, _), let YamlError.parser(_, problem, mark, _) {
            throw MLGymError(.parse, "\(file):\(mark.line): not valid YAML: \(problem)")
        } catch {
            throw MLGymError(.parse, "\(file): not valid YAML: \(error)")
        }
        guard let root else { throw MLGymError(.parse, "\(file): the file is empty (see docs/campaigns.md)") }
        let reader = SpecReader(file: file, directory: directory)
        return try reader.campaign(root)
    }
}

/// Walks the YAML tree, keeping every node's line for the errors.
private struct SpecReader {
    let file: String
    let directory: String

    func campaign(_ node: Node) throws(MLGymError) -> CampaignSpec {
        let fields = try mapping(node, allowed: ["name", "tasks", "models", "seeds", "limits", "resources", "agent", "results"], what: "the campaign")
        let name = try identifier(try required(fields, "name", in: node), what: "name")
        let taskNodes = try sequence(try required(fields, "tasks", in: node), what: "tasks")
        var tasks: [String] = []
        for taskNode in taskNodes {
            let task = try identifier(taskNode, what: "a task id")
            guard !tasks.contains(task) else { throw error(taskNode, "task \(task) is listed twice") }
            tasks.append(task)
        }
        guard !tasks.isEmpty else { throw error(node, "tasks: give at least one task id") }
        var models: [CampaignSpec.Model] = []
        let modelsNode = try required(fields, "models", in: node)
        for modelNode in try sequence(modelsNode, what: "models") {
            let model = try self.model(modelNode)
            guard !models.contains(where: { $0.name == model.name }) else { throw error(modelNode, "model name \(model.name) is used twice") }
            models.append(model)
        }
        guard !models.isEmpty else { throw error(modelsNode, "models: give at least one model") }
        let seeds = try fields["seeds"].map { n throws(MLGymError) in try self.seeds(n) } ?? [0]
        let results = try fields["results"].map { n throws(MLGymError) in try path(n, what: "results") }
            ?? (directory as NSString).appendingPathComponent("results/\(name)")
        var spec = CampaignSpec(name: name, tasks: tasks, models: models, seeds: seeds, results: results)
        if let limits = fields["limits"] { spec.limits = try self.limits(limits) }
        if let resources = fields["resources"] { spec.resources = try self.resources(resources) }
        if let agent = fields["agent"] {
            let agentFields = try mapping(agent, allowed: ["memory", "config", "profile"], what: "agent")
            if let memory = agentFields["memory"] { spec.withMemory = try bool(memory, what: "agent.memory") }
            if let config = agentFields["config"] { spec.agentConfig = try path(config, what: "agent.config") }
            if let profile = agentFields["profile"] {
                let name = try string(profile, what: "agent.profile")
                guard ["default", "parity"].contains(name) else { throw error(profile, "agent.profile must be default or parity, not '\(name)'") }
                spec.profile = name
            }
        }
        let count = spec.runs.count
        guard count <= 100_000 else { throw error(node, "the campaign has \(count) runs; at most 100000") }
        return spec
    }

    func model(_ node: Node) throws(MLGymError) -> CampaignSpec.Model {
        let fields = try mapping(node, allowed: ["name", "spec", "api_base", "api_key_env", "price"], what: "a model")
        let name = try identifier(try required(fields, "name", in: node), what: "a model's name")
        let specNode = try required(fields, "spec", in: node)
        var spec = try string(specNode, what: "spec")
        let kind = spec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? spec
        switch kind {
        case "openai", "anthropic":
            guard spec.count > kind.count + 1 else { throw error(specNode, "spec '\(spec)' names no model (e.g. \(kind):gpt-4o)") }
        case "replay":
            let file = String(spec.dropFirst("replay:".count))
            guard !file.isEmpty else { throw error(specNode, "spec '\(spec)' names no trajectory file") }
            spec = "replay:" + absolute(file)
        case "human":
            throw error(specNode, "a campaign cannot use the human model (it runs unattended)")
        default:
            throw error(specNode, "spec '\(spec)' is not openai:NAME, anthropic:NAME or replay:FILE")
        }
        var model = CampaignSpec.Model(name: name, spec: spec)
        if let base = fields["api_base"] {
            let url = try string(base, what: "api_base")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw error(base, "api_base '\(url)' must be an http:// or https:// URL") }
            model.apiBase = url
        }
        if let variable = fields["api_key_env"] { model.apiKeyEnvironment = try identifier(variable, what: "api_key_env") }
        if let price = fields["price"] { model.price = try self.price(price) }
        return model
    }

    func price(_ node: Node) throws(MLGymError) -> CampaignSpec.Price {
        if let text = node.scalar?.string, text.contains(":") {
            let parts = text.split(separator: ":").compactMap { Double($0) }
            guard parts.count == 2, parts.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw error(node, "price '\(text)' must be INPUT:OUTPUT dollars per million tokens, e.g. 2.5:10")
            }
            return CampaignSpec.Price(inputPerMillion: parts[0], outputPerMillion: parts[1])
        }
        let fields = try mapping(node, allowed: ["input", "output"], what: "price")
        return CampaignSpec.Price(
            inputPerMillion: try amount(try required(fields, "input", in: node), what: "price.input"),
            outputPerMillion: try amount(try required(fields, "output", in: node), what: "price.output"))
    }

    func seeds(_ node: Node) throws(MLGymError) -> [Int] {
        if node.scalar != nil {
            let count = try integer(node, what: "seeds")
            guard (1...1000).contains(count) else { throw error(node, "seeds: \(count) must be 1 to 1000 (or a list of seeds)") }
            return Array(0..<count)
        }
        var seeds: [Int] = []
        for seedNode in try sequence(node, what: "seeds") {
            let seed = try integer(seedNode, what: "a seed")
            guard (0...1_000_000).contains(seed) else { throw error(seedNode, "seed \(seed) must be 0 to 1000000") }
            guard !seeds.contains(seed) else { throw error(seedNode, "seed \(seed) is listed twice") }
            seeds.append(seed)
        }
        guard !seeds.isEmpty else { throw error(node, "seeds: give at least one seed") }
        return seeds
    }

    func limits(_ node: Node) throws(MLGymError) -> CampaignSpec.Limits {
        let fields = try mapping(node, allowed: ["steps", "run_cost", "campaign_cost", "time"], what: "limits")
        var limits = CampaignSpec.Limits()
        if let steps = fields["steps"] {
            limits.steps = try integer(steps, what: "limits.steps")
            guard (1...10_000).contains(limits.steps) else { throw error(steps, "limits.steps must be 1 to 10000") }
        }
        if let cost = fields["run_cost"] { limits.runCost = try amount(cost, what: "limits.run_cost") }
        if let cost = fields["campaign_cost"] { limits.campaignCost = try amount(cost, what: "limits.campaign_cost") }
        if let time = fields["time"] {
            guard let seconds = DurationText.seconds(time.scalar?.string ?? ""), seconds <= 30 * 86400 else {
                throw error(time, "limits.time must be a duration such as 90m, 2h or 3600s (at most 30 days; 0 for none)")
            }
            limits.time = seconds
        }
        return limits
    }

    func resources(_ node: Node) throws(MLGymError) -> CampaignSpec.Resources {
        let fields = try mapping(node, allowed: ["gpus", "memory", "cpus", "network"], what: "resources")
        var resources = CampaignSpec.Resources()
        if let gpus = fields["gpus"] {
            resources.gpus = try integer(gpus, what: "resources.gpus")
            guard (0...64).contains(resources.gpus) else { throw error(gpus, "resources.gpus must be a count from 0 to 64") }
        }
        if let memory = fields["memory"] {
            let text = try string(memory, what: "resources.memory")
            guard let bytes = ByteCount.parse(text), bytes >= 1 << 20 else { throw error(memory, "resources.memory '\(text)' must be a size such as 8G or 512M") }
            resources.memory = text
        }
        if let cpus = fields["cpus"] {
            let value = try amount(cpus, what: "resources.cpus")
            guard value > 0, value <= 1024 else { throw error(cpus, "resources.cpus must be above 0 and at most 1024") }
            resources.cpus = value
        }
        if let network = fields["network"] {
            let mode = try string(network, what: "resources.network")
            guard ["packages", "none", "loopback", "host"].contains(mode) else {
                throw error(network, "resources.network must be packages, none, loopback or host, not '\(mode)'")
            }
            resources.network = mode
        }
        return resources
    }

    // MARK: Node helpers

    func error(_ node: Node, _ message: String) -> MLGymError {
        MLGymError(.parse, "\(file):\(node.mark?.line ?? 1): \(message)")
    }

    func mapping(_ node: Node, allowed: [String], what: String) throws(MLGymError) -> [String: Node] {
        guard let mapping = node.mapping else { throw error(node, "\(what) must be a mapping of fields") }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw error(key, "keys must be plain names") }
            guard allowed.contains(name) else {
                throw error(key, "unknown field '\(name)' in \(what) (known: \(allowed.joined(separator: ", ")))")
            }
            guard fields[name] == nil else { throw error(key, "field '\(name)' appears twice") }
            fields[name] = value
        }
        return fields
    }

    func required(_ fields: [String: Node], _ name: String, in parent: Node) throws(MLGymError) -> Node {
        guard let node = fields[name], !(node.scalar.map { $0.string.isEmpty && $0.style == .plain } ?? false) else {
            throw error(parent, "'\(name)' is missing")
        }
        return node
    }

    func sequence(_ node: Node, what: String) throws(MLGymError) -> [Node] {
        guard let sequence = node.sequence else { throw error(node, "\(what) must be a list") }
        return Array(sequence)
    }

    func string(_ node: Node, what: String) throws(MLGymError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw error(node, "\(what) must be a non-empty string") }
        return scalar.string
    }

    /// Names that become file names, job names and report columns: letters, digits, `.`, `_`, `-`.
    func identifier(_ node: Node, what: String) throws(MLGymError) -> String {
        let text = try string(node, what: what)
        let allowed = text.count <= 64 && text.first != "." && text.unicodeScalars.allSatisfy {
            ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "." || $0 == "_" || $0 == "-"
        }
        guard allowed else { throw error(node, "\(what) '\(text)' may hold only letters, digits, '.', '_' and '-' (at most 64, not starting with '.')") }
        return text
    }

    func integer(_ node: Node, what: String) throws(MLGymError) -> Int {
        guard let text = node.scalar?.string, let value = Int(text) else { throw error(node, "\(what) must be a whole number") }
        return value
    }

    func amount(_ node: Node, what: String) throws(MLGymError) -> Double {
        guard let text = node.scalar?.string, let value = Double(text), value.isFinite, value >= 0 else {
            throw error(node, "\(what) must be a number, 0 or more")
        }
        return value
    }

    func bool(_ node: Node, what: String) throws(MLGymError) -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, "\(what) must be true or false")
        }
    }

    func path(_ node: Node, what: String) throws(MLGymError) -> String {
        absolute(try string(node, what: what))
    }

    func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : (directory as NSString).appendingPathComponent(expanded)
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}
