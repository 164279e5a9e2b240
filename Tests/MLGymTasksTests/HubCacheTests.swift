import Foundation
import Glibc
import MLGymCore
import MLGymTasks
import MLGymTestSupport
import Testing

/// The dataset cache against a local server that speaks the Hugging Face hub's protocol (the repository API
/// and `resolve/<revision>/<file>` downloads, with a redirect as the real hub sends): the production libcurl
/// client is what runs.
@Suite(.serialized) struct HubCacheTests {
    @Test func fetchesIntoTheHubLayoutOnceAndThenServesOffline() throws {
        let hub = try FakeHub()
        defer { hub.stop() }
        let cache = try TemporaryTaskRoot()
        defer { cache.remove() }
        let hubCache = HubCache(directory: cache.path, endpoint: hub.endpoint)
        #expect(hubCache.cachedRevision("tiny-org/tiny-set") == nil)
        try hubCache.ensure("tiny-org/tiny-set", howToProvide: nil)
        let revision = try #require(hubCache.cachedRevision("tiny-org/tiny-set"))
        #expect(revision == FakeHub.revision)
        let snapshot = cache.path + "/hub/datasets--tiny-org--tiny-set/snapshots/" + revision
        #expect(try String(contentsOfFile: snapshot + "/data/train.csv", encoding: .utf8) == "x,y\n1,2\n")
        #expect(try String(contentsOfFile: snapshot + "/README.md", encoding: .utf8) == "# tiny\n")
        #expect(!FileManager.default.fileExists(atPath: cache.path + "/hub/datasets--tiny-org--tiny-set/incoming-" + revision))

        // With the hub gone, the cached copy is enough; nothing is asked again.
        hub.stop()
        try hubCache.ensure("tiny-org/tiny-set", howToProvide: nil)
        #expect(hub.requests.filter { $0.contains("/api/") }.count == 1)
    }

    @Test func anUnreachableHubSaysHowToProvideTheDataset() throws {
        let cache = try TemporaryTaskRoot()
        defer { cache.remove() }
        // A port nothing listens on: connection refused, as offline.
        let hubCache = HubCache(directory: cache.path, endpoint: "http://127.0.0.1:9")
        let error = #expect(throws: MLGymError.self) {
            try hubCache.ensure("uoft-cs/cifar10", howToProvide: "copy an HF cache holding it into the cache directory")
        }
        #expect(error?.message.hasPrefix("dataset uoft-cs/cifar10 is not in the cache and the hub cannot be reached: copy an HF cache holding it into the cache directory (http://127.0.0.1:9: ") == true, "\(error?.message ?? "")")
        #expect(hubCache.cachedRevision("uoft-cs/cifar10") == nil)
    }

    @Test func anUnknownDatasetIsNotFound() throws {
        let hub = try FakeHub()
        defer { hub.stop() }
        let cache = try TemporaryTaskRoot()
        defer { cache.remove() }
        let error = #expect(throws: MLGymError.self) {
            try HubCache(directory: cache.path, endpoint: hub.endpoint).ensure("nobody/nothing", howToProvide: nil)
        }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("404") == true)
    }
}

/// A Python http.server that answers like huggingface.co for one dataset repository.
final class FakeHub: @unchecked Sendable {
    static let revision = "0123456789abcdef0123456789abcdef01234567"
    let server: LoopbackServer

    init() throws {
        let directory = try TemporaryTaskRoot()
        try directory.write("server.py", Self.script)
        server = try LoopbackServer(script: directory.path + "/server.py", arguments: ["{port}", directory.path + "/requests"], directory: directory)
    }

    var port: Int { server.port }
    var endpoint: String { "http://127.0.0.1:\(port)" }
    var requests: [String] {
        ((try? String(contentsOfFile: server.directory.path + "/requests", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() { server.stop() }

    static let script = #"""
        import http.server, json, sys
        REVISION = "0123456789abcdef0123456789abcdef01234567"
        FILES = {"data/train.csv": b"x,y\n1,2\n", "README.md": b"# tiny\n"}
        REPO = "tiny-org/tiny-set"
        class Hub(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass
            def answer(self, status, body, kind="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                with open(sys.argv[2], "a") as log:
                    log.write(self.path + "\n")
                if self.path == "/api/datasets/%s/revision/main" % REPO:
                    listing = {"id": REPO, "sha": REVISION, "siblings": [{"rfilename": name} for name in FILES]}
                    return self.answer(200, json.dumps(listing).encode())
                prefix = "/datasets/%s/resolve/%s/" % (REPO, REVISION)
                if self.path.startswith(prefix) and self.path[len(prefix):] in FILES:
                    # The real hub redirects file downloads to its CDN.
                    return self.answer(302, b"", headers=[("Location", "/cdn/" + self.path[len(prefix):])])
                if self.path.startswith("/cdn/") and self.path[5:] in FILES:
                    return self.answer(200, FILES[self.path[5:]], "application/octet-stream")
                self.answer(404, b'{"error":"Repository not found"}')
        server = http.server.HTTPServer(("127.0.0.1", 0), Hub)
        with open(sys.argv[1] + ".tmp", "w") as handle:
            handle.write(str(server.server_address[1]))
        import os
        os.rename(sys.argv[1] + ".tmp", sys.argv[1])
        server.serve_forever()
        """#
}
