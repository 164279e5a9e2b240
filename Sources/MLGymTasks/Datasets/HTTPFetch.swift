import CCurlShim
import Foundation
import MLGymCore

/// Plain HTTPS GETs with libcurl, for the dataset hub: into memory (API answers) or into a file (data files).
/// Redirects are followed (the hub sends files from a CDN); a host that does not answer within 15 s counts as
/// unreachable.
enum HTTPFetch {
    enum Failure: Error {
        /// No connection (DNS, refused, timeout): the hub cannot be reached.
        case unreachable(String)
        /// The server answered with this status.
        case status(Int, String)
        /// Anything else (a disk error while writing).
        case other(String)
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private final class Sink: @unchecked Sendable {
        var data = Data()
        var file: FileHandle?
        var writeFailed = false
    }

    static func get(_ url: String, headers: [String] = []) throws(Failure) -> Data {
        let sink = Sink()
        try perform(url, headers: headers, sink: sink)
        return sink.data
    }

    static func download(_ url: String, to path: String, headers: [String] = []) throws(Failure) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw .other("cannot create \(path)")
        }
        defer { try? file.close() }
        let sink = Sink()
        sink.file = file
        try perform(url, headers: headers, sink: sink)
        if sink.writeFailed { throw .other("cannot write \(path)") }
    }

    private static func perform(_ url: String, headers: [String], sink: Sink) throws(Failure) {
        _ = globalInit
        guard let easy = curl_easy_init() else { throw .other("libcurl could not create a handle") }
        defer { curl_easy_cleanup(easy) }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            _ = mlg_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = mlg_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
            _ = mlg_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, 15)
            // A transfer that stalls (under 1 KiB/s for a minute) fails instead of holding a session's start.
            _ = mlg_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1024)
            _ = mlg_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, 60)
            _ = mlg_curl_setopt_string(easy, CURLOPT_URL, url)
            _ = mlg_curl_setopt_string(easy, CURLOPT_USERAGENT, "mlgymd")
            _ = mlg_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errors.baseAddress)
            _ = mlg_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, list)
            _ = mlg_curl_setopt_write_function(easy, { data, size, count, context in
                guard let data, let context else { return 0 }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                let bytes = Data(bytes: data, count: size * count)
                if let file = sink.file {
                    do { try file.write(contentsOf: bytes) } catch { sink.writeFailed = true; return 0 }
                } else {
                    sink.data.append(bytes)
                }
                return size * count
            }, context.toOpaque())
            return curl_easy_perform(easy)
        }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
        switch code {
        case CURLE_OK:
            var status = 0
            _ = mlg_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            guard (200..<300).contains(status) else {
                throw .status(status, String(decoding: sink.data.prefix(300), as: UTF8.self))
            }
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_RESOLVE_PROXY,
             CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            throw .unreachable(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        default:
            throw .other(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
    }
}
