import CCurlShim
import Foundation
import MLGymCore

/// mlgymd's one client for the outside world's HTTP (dataset hub, model providers, literature services), over
/// libcurl. Calls block: callers run them off the cooperative pool (`OutboundHTTP.perform` on a detached thread).
public enum OutboundHTTP {
    public enum Failure: Error, Sendable, Equatable {
        /// No answer (DNS, refused, reset, timed out): the server cannot be reached, or did not answer in time.
        case unreachable(String)
        /// The server answered with this status (only from `get` and `download`, which expect 2xx).
        case status(Int, String)
        /// Anything else (a disk error while writing, a bad URL).
        case other(String)
        /// The caller's task was cancelled while it waited (the transfer itself runs on to its own time-out).
        case cancelled

        public var message: String {
            switch self {
            case .unreachable(let detail): detail
            case .status(let code, let body): "HTTP \(code): \(body)"
            case .other(let detail): detail
            case .cancelled: "cancelled"
            }
        }
    }

    /// A whole answer, whatever its status.
    public struct Response: Sendable {
        public var status: Int
        /// Header names lower-cased; the last value wins.
        public var headers: [String: String]
        public var body: Data

        public init(status: Int, headers: [String: String] = [:], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private final class Sink: @unchecked Sendable {
        var data = Data()
        var file: FileHandle?
        var writeFailed = false
        var headers: [String: String] = [:]
        var status = 0
        /// Bytes an answer held in memory may have; past it the transfer is aborted (nil: no limit, for files).
        var memoryLimit: Int?
        var overLimit = false
        /// Bytes a download may write; past it the transfer is aborted.
        var fileLimit: Int?
        var written = 0
        var publicOnly = false
    }

    /// The largest answer `send` keeps: a model's reply is kilobytes; a server that streams gigabytes into the
    /// daemon's memory is stopped.
    public static let answerLimitBytes = 32 << 20

    /// A GET whose answer must be 2xx; redirects are followed.
    public static func get(_ url: String, headers: [String] = []) throws(Failure) -> Data {
        let sink = Sink()
        try perform(url, headers: headers, sink: sink, method: nil, body: nil, timeout: nil)
        try expectSuccess(sink)
        return sink.data
    }

    /// A GET into a file; the answer must be 2xx.
    ///
    /// - Parameters:
    ///   - limitBytes: a larger file is abandoned (a URL a user gave may point at anything).
    ///   - timeout: seconds for the whole transfer; nil for none (a stalled one still fails).
    ///   - publicAddressesOnly: refuse loopback, private and link-local addresses, checked at every connection
    ///     (redirects and DNS included): for URLs an untrusted user chose.
    public static func download(
        _ url: String, to path: String, headers: [String] = [], limitBytes: Int? = nil, timeout: Double? = nil,
        publicAddressesOnly: Bool = false
    ) throws(Failure) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw .other("cannot create \(path)")
        }
        defer { try? file.close() }
        let sink = Sink()
        sink.file = file
        sink.fileLimit = limitBytes
        sink.publicOnly = publicAddressesOnly
        try perform(url, headers: headers, sink: sink, method: nil, body: nil, timeout: timeout)
        if sink.writeFailed { throw .other("cannot write \(path)") }
        try expectSuccess(sink)
    }

    /// A request with a body (a JSON POST to a model's API); answers of any status come back as they are, so the
    /// caller decides what a 429 or a 400 means.
    ///
    /// - Parameter timeout: seconds for the whole exchange (a model may think for minutes; a hung server must not
    ///   hold a run forever).
    public static func send(
        _ method: String, _ url: String, headers: [String], body: Data, timeout: Double
    ) throws(Failure) -> Response {
        let sink = Sink()
        sink.memoryLimit = answerLimitBytes
        try perform(url, headers: headers, sink: sink, method: method, body: body, timeout: timeout)
        return Response(status: sink.status, headers: sink.headers, body: sink.data)
    }

    private static func expectSuccess(_ sink: Sink) throws(Failure) {
        guard (200..<300).contains(sink.status) else {
            throw .status(sink.status, String(decoding: sink.data.prefix(300), as: UTF8.self))
        }
    }

    private static func perform(
        _ url: String, headers: [String], sink: Sink, method: String?, body: Data?, timeout: Double?
    ) throws(Failure) {
        _ = globalInit
        guard let easy = curl_easy_init() else { throw .other("libcurl could not create a handle") }
        defer { curl_easy_cleanup(easy) }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        // libcurl copies the body (COPYPOSTFIELDS); the extra 0 gives an empty body an address too.
        let payload = (body.map { [UInt8]($0) } ?? []) + [0]
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            payload.withUnsafeBufferPointer { bytes in
                _ = mlg_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
                // HTTP(S) only: URLs may come from users (a model's --api-base), and file://, gopher:// or dict://
                // would let them make root read files or talk to local services.
                _ = mlg_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
                _ = mlg_curl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
                // Downloads follow redirects (the hub sends files from a CDN); requests with a body do not, since
                // libcurl would pass headers such as x-api-key on to whatever host the redirect names.
                _ = mlg_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, method == nil ? 1 : 0)
                _ = mlg_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, 15)
                if let timeout {
                    _ = mlg_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
                } else {
                    // A transfer that stalls (under 1 KiB/s for a minute) fails instead of holding its caller.
                    _ = mlg_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1024)
                    _ = mlg_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, 60)
                }
                if let method {
                    _ = mlg_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)
                    _ = mlg_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, payload.count - 1)
                    _ = mlg_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
                if sink.publicOnly { _ = mlg_curl_public_addresses_only(easy) }
                _ = mlg_curl_setopt_string(easy, CURLOPT_URL, url)
                _ = mlg_curl_setopt_string(easy, CURLOPT_USERAGENT, "mlgymd")
                _ = mlg_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errors.baseAddress)
                _ = mlg_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, list)
                _ = mlg_curl_setopt_header_function(easy, { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
                    if line.hasPrefix("HTTP/") {
                        // A new response (after a redirect or a 100 Continue): its headers replace the last ones.
                        sink.headers = [:]
                    } else if let colon = line.firstIndex(of: ":") {
                        let name = line[..<colon].lowercased()
                        sink.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                    return size * count
                }, context.toOpaque())
                _ = mlg_curl_setopt_write_function(easy, { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                    let bytes = Data(bytes: data, count: size * count)
                    if let file = sink.file {
                        sink.written += bytes.count
                        if let limit = sink.fileLimit, sink.written > limit {
                            sink.overLimit = true
                            return 0
                        }
                        do { try file.write(contentsOf: bytes) } catch { sink.writeFailed = true; return 0 }
                    } else {
                        if let limit = sink.memoryLimit, sink.data.count + bytes.count > limit {
                            sink.overLimit = true
                            return 0
                        }
                        sink.data.append(bytes)
                    }
                    return size * count
                }, context.toOpaque())
                return curl_easy_perform(easy)
            }
        }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OK:
            var status = 0
            _ = mlg_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            sink.status = status
        case _ where sink.overLimit:
            throw .other("the answer was larger than \((sink.fileLimit ?? answerLimitBytes) >> 20) MiB")
        case CURLE_COULDNT_CONNECT where sink.publicOnly:
            throw .other("cannot connect: the server did not answer, or its address is not a public one (loopback, private and link-local networks are out of reach): \(reason)")
        case CURLE_UNSUPPORTED_PROTOCOL:
            throw .other("only http:// and https:// URLs are allowed: \(reason)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_RESOLVE_PROXY,
             CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            throw .unreachable(reason)
        default:
            throw .other(reason)
        }
    }
}

extension OutboundHTTP {
    /// `send` on a thread of its own: libcurl blocks, and the cooperative pool must not. A cancelled caller gets
    /// `.cancelled` at once (a stopped run must not wait out a model's long answer); the transfer's result is
    /// then dropped.
    public static func sendOffThread(
        _ method: String, _ url: String, headers: [String], body: Data, timeout: Double
    ) async -> Result<Response, Failure> {
        let answer = AnswerOnce()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                answer.wait(continuation)
                Thread.detachNewThread {
                    do throws(Failure) {
                        answer.give(.success(try send(method, url, headers: headers, body: body, timeout: timeout)))
                    } catch {
                        answer.give(.failure(error))
                    }
                }
            }
        } onCancel: {
            answer.give(.failure(.cancelled))
        }
    }

    /// Resumes a continuation with the first answer given, whichever comes first: the transfer or the cancel.
    private final class AnswerOnce: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Result<Response, Failure>, Never>?
        private var early: Result<Response, Failure>?
        private var done = false

        func wait(_ continuation: CheckedContinuation<Result<Response, Failure>, Never>) {
            lock.lock()
            if let early {
                done = true
                lock.unlock()
                continuation.resume(returning: early)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        func give(_ result: Result<Response, Failure>) {
            lock.lock()
            guard !done else { lock.unlock(); return }
            guard let continuation else {
                early = early ?? result
                lock.unlock()
                return
            }
            done = true
            self.continuation = nil
            lock.unlock()
            continuation.resume(returning: result)
        }
    }
}
