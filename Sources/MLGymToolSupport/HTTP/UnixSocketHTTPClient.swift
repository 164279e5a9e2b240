import Glibc

/// HTTP/1.1 over a Unix socket: mlgymd's API as mlgymctl and the in-sandbox tools speak it, without Foundation or
/// libcurl, so those binaries can be small, static and quick to start.
///
/// One connection is kept alive across requests. A request on a kept-alive connection that the server closed
/// while it was idle (nothing of an answer arrived) is sent once more on a new connection, as curl does.
/// Not thread-safe: callers serialise their requests (`APIClient` holds it in a mutex).
public final class UnixSocketHTTPClient {
    public let socketPath: String
    /// How long `connect` may wait for a daemon whose listen queue is full before giving up.
    public var connectTimeoutSeconds = 10
    private var descriptor: Int32 = -1
    private var reader = HTTPResponseReader()

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    deinit { disconnect() }

    /// Why a request got no complete answer.
    public enum Failure: Error, Sendable, Equatable {
        /// The socket could not be connected (`ENOENT`, `ECONNREFUSED`, `EACCES`, a time-out as `ETIMEDOUT`…).
        case connect(errno: Int32)
        /// Reading or writing the connection failed.
        case transfer(errno: Int32)
        /// The answer was not HTTP as this client reads it, or ended early.
        case malformed(String)

        public var reason: String {
            switch self {
            case .connect(let code), .transfer(let code): String(cString: strerror(code))
            case .malformed(let what): what
            }
        }
    }

    /// Sends one request and hands the answer's body to `onBody` as it arrives; returns the HTTP status.
    ///
    /// - Parameter headers: sent after `Host`, `Content-Length` and `Connection`; give `Content-Type` and
    ///   `Accept` here.
    ///   - onHead: called once with the status and the `Content-Type`, before any of the body (a proxy writes
    ///     its own head then).
    public func perform(
        method: String, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        onHead: (_ status: Int, _ contentType: String?) -> Void = { _, _ in }, onBody: (ArraySlice<UInt8>) -> Void
    ) throws(Failure) -> Int {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: mlgymd\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + (body ?? [])

        let reused = descriptor >= 0
        do {
            return try exchange(request, method: method, onHead: onHead, onBody: onBody)
        } catch let failure {
            // An idle kept-alive connection the server closed: nothing of this request was answered.
            guard reused, reader.answeredNothing else { throw failure }
            disconnect()
            return try exchange(request, method: method, onHead: onHead, onBody: onBody)
        }
    }

    /// Ends the transfer in progress from inside its `onBody` (whose reader is still running, so the connection
    /// cannot be closed there): the socket is shut down, the read fails, and `perform` closes it and throws.
    public func abortTransfer() {
        if descriptor >= 0 { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// Closes the connection; the next request opens a new one. Not from inside `onBody` (see `abortTransfer`).
    public func disconnect() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        reader = HTTPResponseReader()
    }

    private func exchange(
        _ request: [UInt8], method: String, onHead: (Int, String?) -> Void, onBody: (ArraySlice<UInt8>) -> Void
    ) throws(Failure) -> Int {
        if descriptor < 0 { try connect() }
        reader.begin(method: method)
        do {
            try send(request)
            let status = try reader.read(from: descriptor, onHead: onHead, onBody: onBody)
            if !reader.keepsAlive { disconnect() }
            return status
        } catch {
            disconnect()
            throw error
        }
    }

    private func connect() throws(Failure) {
        descriptor = try Self.connectedSocket(socketPath, timeoutSeconds: connectTimeoutSeconds)
    }

    /// A new stream connection to the Unix socket at `path` (close-on-exec), for callers that speak on it
    /// themselves (the web view's terminal relay upgrades it to a WebSocket).
    ///
    /// - Parameter timeoutSeconds: how long to wait on a full listen queue.
    public static func connectedSocket(_ path: String, timeoutSeconds: Int = 10) throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw .connect(errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketDescriptor >= 0 else { throw .connect(errno: errno) }
        // A Unix socket's connect waits on a full listen queue for as long as the send time-out allows.
        setSendTimeout(socketDescriptor, seconds: timeoutSeconds)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno == EAGAIN || errno == EINPROGRESS ? ETIMEDOUT : errno
            close(socketDescriptor)
            throw .connect(errno: code)
        }
        // No limit once connected: an exec may rightly run for hours.
        setSendTimeout(socketDescriptor, seconds: 0)
        return socketDescriptor
    }

    private static func setSendTimeout(_ socketDescriptor: Int32, seconds: Int) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    private func send(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a daemon that went away must give an error here, not kill the client with SIGPIPE.
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw .transfer(errno: errno)
            }
            offset += sent
        }
    }
}
