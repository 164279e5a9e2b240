import Foundation
import MLGymCore
import MLGymHTTP
import MLGymSandbox

/// The text of a PDF, for agents (`parse_pdf`) and people (`mlgymctl lit pdf`). A PDF is untrusted input, so
/// poppler's `pdftotext` reads it inside a sandbox of its own: no network, a memory and process limit, a time
/// limit, the document bound read-only. The pages and characters returned are capped, and the answer says so.
public struct PDFText: Sendable, Equatable {
    public var text: String
    /// Pages in the document, when poppler could tell.
    public var pages: Int?
    /// Pages whose text was taken.
    public var pagesRead: Int
    public var truncated: Bool
    public var note: String?

    public struct Limits: Sendable {
        public var pages = 20
        public var characters = 50_000
        public var downloadBytes = 32 << 20
        public var downloadSeconds: Double = 60
        /// Whether a URL may lead to loopback or private addresses (mlgymd --pdf-private-urls; off by default: an
        /// agent must not use mlgymd to reach the host's or the lab's internal services).
        public var privateAddresses = false
        public init() {}
    }

    /// Downloads `url` (http or https, size- and time-limited) into `scratch` and reads it.
    public static func fromURL(_ url: String, engine: SandboxEngine, scratch: String, limits: Limits) async throws(MLGymError) -> PDFText {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw MLGymError(.invalidArgument, "'\(url)' is not an http:// or https:// URL (a file in your workspace is read with its path)")
        }
        let path = scratch + "/" + SandboxEngine.newID() + ".pdf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result: Result<Void, OutboundHTTP.Failure> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                do throws(OutboundHTTP.Failure) {
                    try OutboundHTTP.download(
                        url, to: path, limitBytes: limits.downloadBytes, timeout: limits.downloadSeconds,
                        publicAddressesOnly: !limits.privateAddresses)
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        if case .failure(let failure) = result {
            throw MLGymError(.unsupported, "cannot download \(url): \(failure.message)")
        }
        return try await fromFile(path, engine: engine, limits: limits)
    }

    /// Reads the PDF bytes an agent sent (a file of its workspace).
    public static func fromData(_ data: Data, engine: SandboxEngine, scratch: String, limits: Limits) async throws(MLGymError) -> PDFText {
        guard data.count <= limits.downloadBytes else {
            throw MLGymError(.invalidArgument, "the PDF is larger than \(limits.downloadBytes >> 20) MiB")
        }
        let path = scratch + "/" + SandboxEngine.newID() + ".pdf"
        guard FileManager.default.createFile(atPath: path, contents: data) else { throw MLGymError(.system, "cannot write \(path)") }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await fromFile(path, engine: engine, limits: limits)
    }

    static let sandboxPath = "/home/agent/document.pdf"

    static func fromFile(_ path: String, engine: SandboxEngine, limits: Limits) async throws(MLGymError) -> PDFText {
        chmod(path, 0o644)
        // As nobody (65534), not the default 1000, which on many hosts is a person's uid.
        var spec = SandboxSpec(
            rootFilesystem: .host, binds: [SandboxSpec.Bind(hostPath: path, sandboxPath: sandboxPath)],
            identity: SandboxSpec.Identity(uid: 65534, gid: 65534), hostname: "mlgym-pdf")
        spec.limits = ResourceLimits(memoryBytes: 1 << 30, cpus: 1, pids: 64)
        spec.limits.diskBytes = nil
        spec.workspaceReadOnly = true
        let sandbox: Sandbox
        do {
            sandbox = try await engine.create(spec)
        } catch {
            throw MLGymError(.system, "cannot make a sandbox to read the PDF: \(error)")
        }
        defer { Task { _ = await sandbox.stop() } }
        let info = try? await sandbox.run(["pdfinfo", sandboxPath], timeout: .seconds(30))
        let pages = info.flatMap { result in
            result.output.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
        }
        let result: ProcessResult
        do {
            result = try await sandbox.run(
                ["pdftotext", "-q", "-l", String(limits.pages), "-enc", "UTF-8", sandboxPath, "-"], timeout: .seconds(60))
        } catch {
            throw MLGymError(.system, "pdftotext could not run: \(error) (install poppler-utils)")
        }
        if result.timedOut { throw MLGymError(.timeout, "reading the PDF took more than 60 s") }
        guard case .exited(0) = result.status else {
            let errors = try? await sandbox.run(["pdftotext", "-l", "1", sandboxPath, "/dev/null"], timeout: .seconds(30))
            let reason = errors?.errorOutput.split(separator: "\n").last.map(String.init) ?? "pdftotext failed (\(result.status))"
            throw MLGymError(.invalidArgument, "the file is not a readable PDF: \(reason)")
        }
        var text = result.output.replacingOccurrences(of: "\u{0C}", with: "\n")
        var notes: [String] = []
        let read = min(limits.pages, pages ?? limits.pages)
        if let pages, pages > limits.pages { notes.append("only the first \(limits.pages) of \(pages) pages were read") }
        var truncated = pages.map { $0 > limits.pages } ?? false
        if text.count > limits.characters {
            notes.append("the text was cut at \(limits.characters) of \(text.count) characters")
            text = String(text.prefix(limits.characters))
            truncated = true
        }
        if !notes.isEmpty { text += "\n[... " + notes.joined(separator: "; ") + " ...]\n" }
        return PDFText(text: text, pages: pages, pagesRead: read, truncated: truncated, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }
}
