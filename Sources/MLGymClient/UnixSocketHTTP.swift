import Foundation
import Glibc
import MLGymCore
import MLGymToolSupport
import Synchronization

/// HTTP/1.1 over mlgymd's Unix socket for `APIClient`: MLGymToolSupport's client (the one the light mlgymctl and
/// the in-sandbox tools use, so the project has one HTTP client for its own API), one kept-alive connection,
/// requests serialised by a mutex, and its failures worded as `MLGymError`s a user can act on.
final class UnixSocketHTTP: Sendable {
    let socketPath: String
    private let client: Mutex<UnixSocketHTTPClient>

    init(socketPath: String) {
        self.socketPath = socketPath
        client = Mutex(UnixSocketHTTPClient(socketPath: socketPath))
    }

    /// Performs one request; `onData` gets the body piece by piece as it arrives. Returns the HTTP status.
    func perform(
        method: String, path: String, body: Data?, accept: String = "application/json", onData: (ArraySlice<UInt8>) -> Void
    ) throws(MLGymError) -> Int {
        try client.withLock { (client: inout UnixSocketHTTPClient) throws(MLGymError) -> Int in
            do throws(UnixSocketHTTPClient.Failure) {
                return try client.perform(
                    method: method, path: path, headers: [("Content-Type", "application/json"), ("Accept", accept)],
                    body: body.map { Array($0) }, onBody: onData)
            } catch {
                throw describe(error)
            }
        }
    }

    private func describe(_ failure: UnixSocketHTTPClient.Failure) -> MLGymError {
        switch failure {
        case .connect(let code) where code == ENOENT || code == ECONNREFUSED:
            MLGymError(
                .notFound, "cannot reach mlgymd at \(socketPath) (is it running? start it with 'systemctl start mlgymd' or set MLGYM_SOCKET)",
                errno: code, cause: failure)
        case .connect(let code) where code == EACCES || code == EPERM:
            MLGymError(
                .permissionDenied, "permission denied on \(socketPath) (join the mlgym group: 'usermod -aG mlgym $USER', then log in again)",
                errno: code, cause: failure)
        case .connect(let code) where code == ETIMEDOUT:
            MLGymError(.system, "mlgymd at \(socketPath) did not accept the connection within 10 s (is it overloaded or stuck?)", errno: code, cause: failure)
        case .connect(let code), .transfer(let code):
            MLGymError(.system, "request to mlgymd at \(socketPath) failed: \(failure.reason)", errno: code, cause: failure)
        case .malformed:
            MLGymError(.system, "request to mlgymd at \(socketPath) failed: \(failure.reason)", cause: failure)
        }
    }
}
