import Foundation
import MLGymCore
import Testing
@testable import MLGymServices

/// The MiniLM back-end's worker protocol, with a stand-in worker (the real model needs torch, which CI lacks):
/// the greeting, a line per request, errors, a worker that is missing.
@Suite struct MiniLMEmbedderTests {
    static let worker = #"""
        import json, sys
        print(json.dumps({"ready": True, "model": "stand-in", "dimensions": 4}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if request["texts"] == ["fail"]:
                print(json.dumps({"error": "asked to fail"}), flush=True)
                continue
            if request["texts"] == ["die"]:
                sys.exit(3)
            print(json.dumps({"embeddings": [[float(len(t)), 1.0, 0.0, 0.0] for t in request["texts"]]}), flush=True)
        """#

    @Test func theWorkerEmbedsLineByLineAndItsErrorsAreReported() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/mlgym-minilm-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.worker.write(toFile: directory + "/worker.py", atomically: true, encoding: .utf8)
        let embedder = try MiniLMEmbedder(python: "/usr/bin/python3", script: directory + "/worker.py", logPath: directory + "/log")
        let vectors = try await embedder.embed(["abc", "a"])
        #expect(vectors.count == 2)
        #expect(abs(vectors[0][0] - 3 / Float(10).squareRoot()) < 1e-5, "normalised: \(vectors[0])")
        await #expect(throws: MLGymError.self) { try await embedder.embed(["fail"]) }
        #expect(try await embedder.embed(["again"]).count == 1, "the worker goes on after an error")
        // A worker that dies is replaced; "die" kills each new one too, so that call fails, and the next works.
        await #expect(throws: MLGymError.self) { try await embedder.embed(["die"]) }
        #expect(try await embedder.embed(["after"]).first?.count == 4, "a new worker answers")
    }

    @Test func aWorkerThatCannotStartIsAClearError() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/mlgym-minilm-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"print('{"error": "missing torch"}'); raise SystemExit(1)"#.write(toFile: directory + "/worker.py", atomically: true, encoding: .utf8)
        #expect(throws: MLGymError.self) { try MiniLMEmbedder(python: "/usr/bin/python3", script: directory + "/worker.py", logPath: directory + "/log") }
    }
}
