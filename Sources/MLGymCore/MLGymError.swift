/// The one error type mlgym's libraries throw.
///
/// `code` says what kind of failure it is (so callers and the API can map it to an exit status or an HTTP
/// status); `message` says what went wrong, on what, and what to do, in one line a person can act on.
public struct MLGymError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An extensible set of failure kinds.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The caller asked for something malformed or impossible.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// A named thing does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// The host cannot do what was asked (missing kernel feature, missing privilege).
        public static let unsupported = Code(rawValue: "unsupported")
        /// A system call failed.
        public static let system = Code(rawValue: "system")
        /// The operation was refused for lack of permission.
        public static let permissionDenied = Code(rawValue: "permission_denied")
        /// A time limit ran out.
        public static let timeout = Code(rawValue: "timeout")
        /// Input could not be parsed.
        public static let parse = Code(rawValue: "parse")
        /// The object is in a state that does not allow the operation.
        public static let invalidState = Code(rawValue: "invalid_state")
        /// Something with that identity exists already.
        public static let alreadyExists = Code(rawValue: "already_exists")
        /// A quota (sessions per uid, output size) would be exceeded.
        public static let limitExceeded = Code(rawValue: "limit_exceeded")
    }

    public let code: Code
    public let message: String
    /// The errno of the system call that failed, when one did (the message names it too, for people).
    public let errno: Int32?
    /// The lower-level error this one explains (a transfer failure, a decoding error), kept for logs and callers
    /// that need more than the message.
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, errno: Int32? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.cause = cause
    }

    public var description: String { message }

    /// Equal when they say the same thing: code, message and errno (the cause is context, not identity).
    public static func == (lhs: MLGymError, rhs: MLGymError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.errno == rhs.errno
    }
}
