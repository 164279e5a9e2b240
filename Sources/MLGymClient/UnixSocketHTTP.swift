import CCurlShim
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// HTTP/1.1 over a Unix socket with libcurl: one easy handle, so consecutive requests reuse one kept-alive
/// connection. Requests are serialized on the handle.
final class UnixSocketHTTP: Sendable {
    let socketPath: String
    private let handle: Mutex<UnsafeMutableRawPointer?>

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    init(socketPath: String) {
        _ = Self.globalInit
        self.socketPath = socketPath
        handle = Mutex(curl_easy_init())
    }

    deinit {
        handle.withLock { if let easy = $0 { curl_easy_cleanup(easy) } }
    }

    /// Receives the body as it arrives; the status is known before the first call.
    final class Sink: @unchecked Sendable {
        let onData: (UnsafeRawBufferPointer) -> Void
        init(onData: @escaping (UnsafeRawBufferPointer) -> Void) { self.onData = onData }
    }

    /// Performs one request; `onData` gets the body piece by piece. Returns the HTTP status.
    func perform(method: String, path: String, body: Data?, accept: String = "application/json", onData: @escaping (UnsafeRawBufferPointer) -> Void) throws(MLGymError) -> Int {
        try handle.withLock { (easy: inout UnsafeMutableRawPointer?) throws(MLGymError) -> Int in
            guard let easy else { throw MLGymError(.system, "libcurl could not create a handle") }
            curl_easy_reset(easy)
            let sink = Sink(onData: onData)
            let context = Unmanaged.passRetained(sink)
            defer { context.release() }
            var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
            var headers: UnsafeMutablePointer<curl_slist>?
            headers = curl_slist_append(headers, "Content-Type: application/json")
            headers = curl_slist_append(headers, "Accept: \(accept)")
            headers = curl_slist_append(headers, "Expect:")
            defer { curl_slist_free_all(headers) }
            let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
                _ = mlg_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
                // A daemon that does not accept within 10 s is wedged or overloaded: say so instead of hanging.
                // No overall limit: an exec may rightly run for hours.
                _ = mlg_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, 10)
                _ = mlg_curl_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, socketPath)
                _ = mlg_curl_setopt_string(easy, CURLOPT_URL, "http://mlgymd" + path)
                _ = mlg_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)
                _ = mlg_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errors.baseAddress)
                _ = mlg_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, headers)
                if let body {
                    _ = mlg_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
                    _ = body.withUnsafeBytes { bytes in
                        mlg_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                    }
                }
                _ = mlg_curl_setopt_write_function(easy, { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                    sink.onData(UnsafeRawBufferPointer(start: data, count: size * count))
                    return size * count
                }, context.toOpaque())
                return curl_easy_perform(easy)
            }
            guard code == CURLE_OK else {
                var osErrno = 0
                _ = mlg_curl_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno)
                throw connectionError(code: code, osErrno: Int32(osErrno), detail: String(decoding: errorBuffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
            }
            var status = 0
            _ = mlg_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return status
        }
    }

    private func connectionError(code: CURLcode, osErrno: Int32, detail: String) -> MLGymError {
        if code == CURLE_COULDNT_CONNECT {
            switch osErrno {
            case ENOENT, ECONNREFUSED:
                return MLGymError(.notFound, "cannot reach mlgymd at \(socketPath) (is it running? start it with 'systemctl start mlgymd' or set MLGYM_SOCKET)")
            case EACCES, EPERM:
                return MLGymError(.permissionDenied, "permission denied on \(socketPath) (join the mlgym group: 'usermod -aG mlgym $USER', then log in again)")
            default: break
            }
        }
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return MLGymError(.system, "request to mlgymd at \(socketPath) failed: \(reason)")
    }
}
