import Glibc

/// A system call that failed: what was being done, on what, and the errno, for messages such as
/// `cannot read /w/x.py: Permission denied`.
public struct SystemFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, with its object: `read /w/x.py`.
    public var action: String
    public var errno: Int32

    public init(_ action: String, errno: Int32 = Glibc.errno) {
        self.action = action
        self.errno = errno
    }

    /// The errno as the C library words it (`strerror`).
    public var reason: String { String(cString: strerror(errno)) }

    public var description: String { "cannot \(action): \(reason)" }
}
