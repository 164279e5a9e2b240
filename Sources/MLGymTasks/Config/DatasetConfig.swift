import Foundation
import MLGymCore

/// MLGym's dataset file (`configs/datasets/*.yaml`): where a task's data comes from and the text that fills the
/// task description's `{dataset_docs}`.
public struct DatasetConfig: Sendable, Equatable {
    /// MLGym's optional split entry (`{name, file_regex}`); kept for fidelity, used by nothing (as in MLGym).
    public struct Split: Sendable, Equatable {
        public var name: String?
        public var fileRegex: String?
    }

    public var name: String
    public var description: String
    /// A path relative to the task root when `isLocal`, otherwise a Hugging Face dataset id (`owner/name`).
    public var dataPath: String
    public var isLocal: Bool
    public var trainSplit: Split?
    public var validSplit: Split?
    public var testSplit: Split?
    /// Extension: how an operator provides the data when it is missing (shown by `mlgymctl tasks`).
    public var howToGet: String?
    /// Extension: for hub data, whether the id names a dataset (the default) or a model repository (weights a
    /// task starts from, such as bert-base-uncased).
    public var hubKind: HubCache.Kind
    /// The file this was read from.
    public var file: String

    static let fields: Set<String> = [
        "name", "description", "data_path", "is_local", "train_split", "valid_split", "test_split", "how_to_get", "hub_repo_type",
    ]

    /// Reads and checks a dataset file.
    public init(file: String, text: String) throws(MLGymError) {
        let fields = try YAMLFields(file: file, text: text)
        try fields.rejectUnknown(allowed: Self.fields)
        self.file = file
        name = try fields.requiredString("name")
        description = try fields.requiredString("description")
        dataPath = try fields.requiredString("data_path")
        isLocal = try fields.bool("is_local") ?? false
        trainSplit = try Self.split(fields, "train_split")
        validSplit = try Self.split(fields, "valid_split")
        testSplit = try Self.split(fields, "test_split")
        howToGet = try fields.string("how_to_get")
        switch try fields.string("hub_repo_type") ?? "dataset" {
        case "dataset": hubKind = .dataset
        case "model": hubKind = .model
        case let other: throw MLGymError(.parse, "\(file): field 'hub_repo_type' must be dataset or model, not '\(other)'")
        }
        if isLocal {
            try TaskConfig.checkRelative(dataPath, field: "data_path", file: file)
        } else {
            try HubDatasetID.check(dataPath, file: file)
        }
    }

    private static func split(_ fields: YAMLFields, _ name: String) throws(MLGymError) -> Split? {
        guard let nested = try fields.mapping(name) else { return nil }
        try nested.rejectUnknown(allowed: ["name", "file_regex"])
        return Split(name: try nested.string("name"), fileRegex: try nested.string("file_regex"))
    }
}

/// A Hugging Face dataset (or model) id: `name` or `owner/name`, letters, digits and `-_.`.
enum HubDatasetID {
    static func check(_ id: String, file: String) throws(MLGymError) {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        let valid = (1...2).contains(parts.count) && parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
        guard valid else {
            throw MLGymError(.parse, "\(file): field 'data_path' must be a Hugging Face id (owner/name) when is_local is false, not '\(id)'")
        }
    }
}
