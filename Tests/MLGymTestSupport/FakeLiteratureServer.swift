import Foundation

/// `Tests/Servers/fake_literature.py` on loopback: Semantic Scholar's paper search and arXiv's Atom API from
/// a script of papers and behaviours (429s, errors, malformed bodies), plus files to download.
public final class FakeLiteratureServer: @unchecked Sendable {
    public struct Paper: Encodable, Sendable {
        public var paperId: String
        public var title: String
        public var abstract: String
        public var year: Int
        public var authors: [String]
        public var pdf: String?
        public var arxivId: String?
        public init(paperId: String, title: String, abstract: String, year: Int, authors: [String], pdf: String? = nil, arxivId: String? = nil) {
            self.paperId = paperId
            self.title = title
            self.abstract = abstract
            self.year = year
            self.authors = authors
            self.pdf = pdf
            self.arxivId = arxivId
        }
    }

    /// One answer's behaviour: `ok`, a status (with Retry-After), or a malformed body.
    public enum Behaviour: Encodable, Sendable {
        case ok
        case status(Int, retryAfter: String? = nil)
        case malformed

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .ok: try container.encode("ok")
            case .status(let code, let after):
                var object = ["status": AnyEncodable(code)]
                if let after { object["retry_after"] = AnyEncodable(after) }
                try container.encode(object)
            case .malformed: try container.encode(["malformed": true])
            }
        }
    }

    private struct AnyEncodable: Encodable {
        let value: any Encodable & Sendable
        init(_ value: any Encodable & Sendable) { self.value = value }
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }

    private struct Script: Encodable {
        var papers: [Paper]
        var s2: [Behaviour]
        var arxiv: [Behaviour]
    }

    public let server: LoopbackServer
    public var files: String { server.directory.path + "/files" }

    public init(papers: [Paper], s2: [Behaviour] = [], arxiv: [Behaviour] = []) throws {
        let directory = try TemporaryTaskRoot()
        try FileManager.default.createDirectory(atPath: directory.path + "/files", withIntermediateDirectories: true)
        try directory.write("script.json", String(decoding: try JSONEncoder().encode(Script(papers: papers, s2: s2, arxiv: arxiv)), as: UTF8.self))
        server = try LoopbackServer(
            script: Self.scriptPath,
            arguments: ["--script", directory.path + "/script.json", "--port-file", "{port}", "--log", directory.path + "/requests.jsonl",
                        "--files", directory.path + "/files"],
            directory: directory)
    }

    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// The services each request went to, in order ("s2", "arxiv", "files").
    public var services: [String] {
        let text = (try? String(contentsOfFile: server.directory.path + "/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["service"] as? String
        }
    }

    /// The x-api-key headers Semantic Scholar got.
    public var apiKeys: [String] {
        let text = (try? String(contentsOfFile: server.directory.path + "/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["x_api_key"] as? String
        }
    }

    /// A real PDF of `lines`, made with ghostscript (Tests/Servers/make_pdf.sh), saved as `name` among the files.
    public func makePDF(_ name: String, lines: [String], pages: Int = 1) throws -> String {
        let textPath = server.directory.path + "/\(name).txt"
        try lines.joined(separator: "\n").write(toFile: textPath, atomically: true, encoding: .utf8)
        let output = files + "/" + name
        let result = try CommandResult.run("/bin/sh", [Self.makePDFPath, textPath, output, String(pages)])
        guard result.status == 0 else { throw TemporaryTaskRootError(message: "make_pdf.sh failed: \(result.errorOutput)") }
        return output
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Servers/fake_literature.py").path
    }

    static var makePDFPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Servers/make_pdf.sh").path
    }
}
