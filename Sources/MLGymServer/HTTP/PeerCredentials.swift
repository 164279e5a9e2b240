import Glibc
import NIOCore

/// Who is at the other end of a Unix-socket connection, as the kernel says (SO_PEERCRED): not spoofable by the
/// client, and taken when it connected.
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Root acts on every session; everyone else on their own.
    public var isAdministrator: Bool { uid == 0 }

    /// `struct ucred` of <sys/socket.h>, which Swift's Glibc module does not import; same layout.
    private struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Reads the credentials of `channel`'s peer. The corresponding C call is `getsockopt(SO_PEERCRED)`.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(HTTPServerError.noPeerCredentials)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}

enum HTTPServerError: Error {
    case noPeerCredentials
}
