import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore
import MLGymTestSupport
import Testing

/// Literature search and PDF text end to end: a real mlgymd whose libcurl client talks to a local server that
/// speaks Semantic Scholar's and arXiv's formats; PDFs made with ghostscript and read by poppler in a sandbox.
@Suite(.serialized) struct LiteratureTests {
    static let papers = [
        FakeLiteratureServer.Paper(
            paperId: "s2-mlgym", title: "MLGym: A New Framework and Benchmark for Advancing AI Research Agents",
            abstract: "A gym environment for machine learning research agents with thirteen tasks.", year: 2025,
            authors: ["Deepak Nathani", "Lovish Madaan"], pdf: "{base}/files/mlgym.pdf", arxivId: "2502.14499"),
        FakeLiteratureServer.Paper(
            paperId: "s2-adam", title: "Adam: A Method for Stochastic Optimization",
            abstract: "An algorithm for first-order gradient-based optimization of stochastic objective functions.", year: 2014,
            authors: ["Diederik P. Kingma", "Jimmy Ba"], arxivId: "1412.6980"),
    ]

    func daemon(_ server: FakeLiteratureServer, privateURLs: Bool = true) throws -> DaemonProcess {
        let daemon = try DaemonProcess(extraArguments: [
            "--semantic-scholar-url", server.baseURL, "--arxiv-url", server.baseURL, "--model-retry-base", "0.01",
        ] + (privateURLs ? ["--pdf-private-urls"] : []))
        daemon.terminate()
        try daemon.start(environment: ["SEMANTIC_SCHOLAR_API_KEY": "s2-test-key"])
        return daemon
    }

    @Test func aSearchRetriesARateLimitThenFallsBackToArxivThenToTheCache() throws {
        let server = try FakeLiteratureServer(
            papers: Self.papers,
            s2: [.status(429, retryAfter: "0"), .ok, .status(500), .status(500), .status(500), .malformed, .malformed],
            arxiv: [.ok, .status(503), .status(503), .status(503), .status(503), .status(503), .status(503)])
        let daemon = try daemon(server)
        defer { daemon.finish() }
        // A 429, then the answer.
        let first = try daemon.client.literatureSearch(LiteratureSearchRequest(query: "optimization", limit: 5))
        #expect(first.source == "semantic-scholar" && !first.cached)
        #expect(first.papers.map(\.paperId) == ["s2-adam"])
        #expect(first.papers.first?.authors == ["Diederik P. Kingma", "Jimmy Ba"] && first.papers.first?.year == 2014)
        #expect(server.apiKeys.first == "s2-test-key")
        // Semantic Scholar keeps failing: arXiv answers, from its Atom feed.
        let fallback = try daemon.client.literatureSearch(LiteratureSearchRequest(query: "research agents", limit: 3))
        #expect(fallback.source == "arxiv")
        #expect(fallback.papers.first?.paperId == "arXiv:2502.14499v1")
        #expect(fallback.papers.first?.title.hasPrefix("MLGym") == true)
        #expect(fallback.note?.contains("Semantic Scholar") == true)
        // A repeated query is answered from the cache without asking anyone.
        let before = server.services.count
        let repeated = try daemon.client.literatureSearch(LiteratureSearchRequest(query: "optimization", limit: 5))
        #expect(repeated.cached && repeated.papers == first.papers)
        #expect(server.services.count == before)
        // Nobody answers and nothing is cached: a clear error, and the daemon is fine.
        #expect(throws: MLGymError.self) { try daemon.client.literatureSearch(LiteratureSearchRequest(query: "unseen words", limit: 2)) }
        let failed = try daemon.ctl(["lit", "search", "unseen words"])
        #expect(failed.status != 0 && failed.errorOutput.contains("nothing cached"), "\(failed.errorOutput)")
        #expect(try daemon.client.info().pid > 0)
    }

    @Test func aPDFIsReadInASandboxWithItsPagesAndLengthCapped() throws {
        let server = try FakeLiteratureServer(papers: Self.papers)
        _ = try server.makePDF("mlgym.pdf", lines: ["MLGym benchmark, page one", "AUP scores", "Third line on page three"], pages: 3)
        try Data("%PDF-1.4 this is not really a pdf".utf8).write(to: URL(fileURLWithPath: server.files + "/broken.pdf"))
        let daemon = try daemon(server)
        defer { daemon.finish() }
        let whole = try daemon.client.pdfText(PDFTextRequest(url: server.baseURL + "/files/mlgym.pdf"))
        #expect(whole.text.contains("MLGym benchmark, page one") && whole.text.contains("Third line on page three"))
        #expect(whole.pages == 3 && !whole.truncated)
        let first = try daemon.ctl(["lit", "pdf", "--pages", "1", server.baseURL + "/files/mlgym.pdf"])
        #expect(first.output.contains("page one") && !first.output.contains("page three"))
        #expect(first.output.contains("only the first 1 of 3 pages were read"))
        let broken = try daemon.ctl(["lit", "pdf", server.baseURL + "/files/broken.pdf"])
        #expect(broken.status != 0 && broken.errorOutput.contains("not a readable PDF"), "\(broken.errorOutput)")
        let notFound = try daemon.ctl(["lit", "pdf", server.baseURL + "/files/missing.pdf"])
        #expect(notFound.status != 0 && notFound.errorOutput.contains("404"), "\(notFound.errorOutput)")
        #expect(try daemon.client.info().pid > 0)
    }

    @Test func aPDFURLCannotReachTheHostsOrTheLabsInternalAddresses() throws {
        let server = try FakeLiteratureServer(papers: Self.papers)
        _ = try server.makePDF("mlgym.pdf", lines: ["internal"])
        let daemon = try daemon(server, privateURLs: false)
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(task: "prisonersDilemma", network: "none", agentLiterature: true)).id
        for url in [server.baseURL + "/files/mlgym.pdf", "http://localhost:\(server.server.port)/files/mlgym.pdf", "http://169.254.169.254/latest/meta-data/"] {
            let result = try daemon.ctl(["exec", session, "--", "parse_pdf_url \(url)"])
            #expect(result.output.contains("not a public one"), "\(url): \(result.output)")
        }
        for url in ["http://[::ffff:127.0.0.1]:\(server.server.port)/files/mlgym.pdf", "http://[64:ff9b::7f00:1]:\(server.server.port)/files/mlgym.pdf"] {
            let result = try daemon.ctl(["exec", session, "--", "parse_pdf_url '\(url)'"])
            #expect(!result.output.contains("internal"), "\(url): \(result.output)")
        }
        #expect(server.services.filter { $0 == "files" }.isEmpty, "nothing reached the server")
    }

    @Test func anAgentWithoutNetworkSearchesAndReadsThroughItsSocket() throws {
        let server = try FakeLiteratureServer(papers: Self.papers)
        let local = try server.makePDF("notes.pdf", lines: ["Notes the agent wrote down", "second line"])
        let daemon = try daemon(server)
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(task: "prisonersDilemma", network: "none", agentLiterature: true)).id
        func agent(_ command: String) throws -> String {
            let result = try daemon.ctl(["exec", session, "--", command])
            return result.output + result.errorOutput
        }
        let found = try agent(#"literature_search "gym environment research agents" 1"#)
        let line = try #require(found.split(separator: "\n").first)
        let paper = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(paper["paperId"] as? String == "s2-mlgym")
        #expect(paper["pdf_url"] as? String == server.baseURL + "/files/mlgym.pdf")
        _ = try server.makePDF("mlgym.pdf", lines: ["The text of the paper"])
        let read = try agent("parse_pdf_url \(server.baseURL)/files/mlgym.pdf")
        #expect(read.contains("The text of the paper"), "\(read)")
        // A PDF in the workspace: the tool reads it as the agent and mlgymd reads the text in a sandbox.
        let encoded = try Data(contentsOf: URL(fileURLWithPath: local)).base64EncodedString()
        _ = try agent("printf '%s' '\(encoded)' | base64 -d > notes.pdf")
        #expect(try agent("ls -1 notes.pdf") == "notes.pdf\n")
        #expect(try agent("parse_pdf notes.pdf").contains("Notes the agent wrote down"))
        // An endless "file" is refused after 32 MiB, not read for ever.
        #expect(try agent("parse_pdf /dev/zero").contains("/dev/zero is larger than 32 MiB"))
        // The sandbox itself cannot reach the server.
        let direct = try agent("python3 -c \"import urllib.request; urllib.request.urlopen('\(server.baseURL)/health', timeout=3)\" 2>&1 | tail -1")
        #expect(direct.contains("Connection refused") || direct.contains("unreachable") || direct.contains("timed out"), "\(direct)")
    }
}
