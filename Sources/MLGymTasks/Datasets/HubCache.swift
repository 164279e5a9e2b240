import Foundation
import MLGymCore
import MLGymHTTP
import MLGymSandbox

/// The shared, read-only cache of Hugging Face datasets (and models) that sessions see, in the hub's own cache
/// layout (`hub/datasets--owner--name/{refs/main,snapshots/<revision>/…}`), so `huggingface_hub` and `datasets`
/// in offline mode find the files where they look.
///
/// mlgymd fills it before a session that needs a dataset starts; inside the sandbox it is mounted read-only at
/// `sandboxPath` with the offline switches on, and the agent has no network to fetch anything else.
public struct HubCache: Sendable {
    public enum Kind: String, Sendable {
        case dataset = "datasets"
        case model = "models"
    }

    /// `HF_HOME` on the host.
    public let directory: String
    /// The hub's base URL (`https://huggingface.co`, or a mirror); `HF_ENDPOINT` in huggingface_hub's terms.
    public let endpoint: String
    /// Sent as a bearer token when set (gated datasets).
    let token: String?

    public static let sandboxPath = "/home/agent/.cache/huggingface"
    /// What the sandbox's processes get: the cache, offline mode, and a writable place for `datasets`' own
    /// processed-data cache (the hub cache is read-only).
    public static let offlineEnvironment = [
        "HF_HOME": sandboxPath, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_CACHE": "/tmp/hf-datasets",
    ]

    public init(directory: String, endpoint: String = "https://huggingface.co", token: String? = nil) {
        self.directory = directory
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.token = token
    }

    func repositoryDirectory(_ id: String, kind: Kind) -> String {
        directory + "/hub/" + kind.rawValue + "--" + id.replacingOccurrences(of: "/", with: "--")
    }

    /// The revision whose snapshot is complete, or nil when `id` is not (fully) in the cache.
    public func cachedRevision(_ id: String, kind: Kind = .dataset) -> String? {
        let repository = repositoryDirectory(id, kind: kind)
        guard let data = FileManager.default.contents(atPath: repository + "/refs/main") else { return nil }
        let revision = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var isDirectory: ObjCBool = false
        guard !revision.isEmpty, FileManager.default.fileExists(atPath: repository + "/snapshots/" + revision, isDirectory: &isDirectory),
              isDirectory.boolValue
        else { return nil }
        return revision
    }

    /// Makes sure `id` is in the cache, downloading the current revision's files when it is not.
    /// - Parameter howToProvide: what to tell the operator when the hub cannot be reached.
    public func ensure(_ id: String, kind: Kind = .dataset, howToProvide: String?) throws(MLGymError) {
        if cachedRevision(id, kind: kind) != nil { return }
        let offline = { (reason: String) -> MLGymError in
            let how = howToProvide ?? "copy a Hugging Face cache that holds it (huggingface-cli download --repo-type \(kind == .dataset ? "dataset" : "model") \(id)) into \(directory)"
            return MLGymError(.unsupported, "\(kind == .dataset ? "dataset" : "model") \(id) is not in the cache and the hub cannot be reached: \(how) (\(endpoint): \(reason))")
        }
        let headers = token.map { ["Authorization: Bearer \($0)"] } ?? []
        let info: Data
        do {
            info = try OutboundHTTP.get("\(endpoint)/api/\(kind.rawValue)/\(id)/revision/main", headers: headers)
        } catch {
            switch error {
            case .unreachable(let reason): throw offline(reason)
            case .status(let status, let body): throw MLGymError(.notFound, "the hub answered \(status) for \(kind == .dataset ? "dataset" : "model") \(id): \(body)")
            case .other(let reason): throw MLGymError(.system, "cannot fetch \(id) from the hub: \(reason)")
            case .cancelled: throw MLGymError(.system, "fetching \(id) from the hub was cancelled")
            }
        }
        struct Listing: Decodable {
            struct Sibling: Decodable { var rfilename: String }
            var sha: String
            var siblings: [Sibling]
        }
        guard let listing = try? JSONDecoder().decode(Listing.self, from: info),
              listing.sha.allSatisfy({ $0.isHexDigit }), !listing.sha.isEmpty
        else {
            throw MLGymError(.parse, "the hub's answer for \(id) is not a repository listing: \(String(decoding: info.prefix(200), as: UTF8.self))")
        }
        let repository = repositoryDirectory(id, kind: kind)
        let snapshot = repository + "/snapshots/" + listing.sha
        let incoming = repository + "/incoming-" + listing.sha
        try? FileManager.default.removeItem(atPath: incoming)
        for sibling in listing.siblings {
            let name = sibling.rfilename
            guard !name.hasPrefix("/"), !name.split(separator: "/").contains(".."), !name.isEmpty else {
                throw MLGymError(.parse, "the hub listed an unsafe file name for \(id): \(name)")
            }
            let target = incoming + "/" + name
            try Self.makeDirectory((target as NSString).deletingLastPathComponent)
            let prefix = kind == .dataset ? "\(endpoint)/datasets/\(id)" : "\(endpoint)/\(id)"
            do {
                try OutboundHTTP.download("\(prefix)/resolve/\(listing.sha)/\(name)", to: target, headers: headers)
            } catch {
                try? FileManager.default.removeItem(atPath: incoming)
                switch error {
                case .unreachable(let reason): throw offline(reason)
                case .status(let status, _): throw MLGymError(.system, "the hub answered \(status) for \(id)/\(name)")
                case .other(let reason): throw MLGymError(.system, "cannot fetch \(id)/\(name): \(reason)")
                case .cancelled: throw MLGymError(.system, "fetching \(id)/\(name) was cancelled")
                }
            }
        }
        try Self.makeDirectory(repository + "/snapshots")
        try? FileManager.default.removeItem(atPath: snapshot)
        do {
            try FileManager.default.moveItem(atPath: incoming, toPath: snapshot)
            try Self.makeDirectory(repository + "/refs")
            // refs/main last: a cache entry counts only once every file is in place.
            try Data((listing.sha).utf8).write(to: URL(fileURLWithPath: repository + "/refs/main"), options: .atomic)
        } catch {
            throw MLGymError(.system, "cannot store \(id) in the cache \(directory): \(error)")
        }
        try? HostCommand.run("/bin/chmod", ["-R", "a+rX", "--", repository], doing: "make \(id) readable")
    }

    /// `ensure` on a thread of its own: a download of gigabytes must not hold a Swift concurrency thread.
    public func ensureOffThread(_ id: String, kind: Kind = .dataset, howToProvide: String?) async throws(MLGymError) {
        let result: Result<Void, MLGymError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                do {
                    try self.ensure(id, kind: kind, howToProvide: howToProvide)
                    continuation.resume(returning: .success(()))
                } catch let error as MLGymError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(MLGymError(.system, "\(error)")))
                }
            }
        }
        try result.get()
    }

    private static func makeDirectory(_ path: String) throws(MLGymError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw MLGymError(.system, "cannot create \(path): \(error)")
        }
    }
}
