import Foundation
import MLGymCore

/// `POST /v1/sessions/{id}/snapshots`: capture the session's writable state now.
public struct SnapshotRequest: Codable, Sendable, Equatable {
    /// A name unique in the session (letters, digits, `.`, `_`, `-`; not only digits): `ID@name`.
    public var name: String?
    public init(name: String? = nil) { self.name = name }
}

/// One snapshot of a session.
public struct SnapshotInfo: Codable, Sendable, Equatable {
    /// How to name it: `SESSION@NUMBER`.
    public var reference: String
    public var session: String
    public var number: Int
    public var name: String?
    /// `image` (a reflink of the whole volume) or `tree` (files, reflinked or content-addressed).
    public var kind: String
    /// `manual`, `validate` (taken at the agent's validate) or `fork` (taken for a fork of the live session).
    public var trigger: String
    /// The validate evaluation it was taken at, and that evaluation's score on the task's metric.
    public var evaluationID: Int64?
    public var score: Double?
    /// Bytes it added to the owner's snapshot usage.
    public var bytes: Int64
    /// Whether the session's processes were frozen for the capture, and for how long.
    public var frozen: Bool
    public var frozenMs: Double
    /// The shell state a fork or restore carries: the working directory and the names of exported variables.
    public var workingDirectory: String?
    public var variables: [String]
    public var createdAt: Date

    public init(
        reference: String, session: String, number: Int, name: String?, kind: String, trigger: String, evaluationID: Int64?,
        score: Double?, bytes: Int64, frozen: Bool, frozenMs: Double, workingDirectory: String?, variables: [String], createdAt: Date
    ) {
        self.reference = reference
        self.session = session
        self.number = number
        self.name = name
        self.kind = kind
        self.trigger = trigger
        self.evaluationID = evaluationID
        self.score = score
        self.bytes = bytes
        self.frozen = frozen
        self.frozenMs = frozenMs
        self.workingDirectory = workingDirectory
        self.variables = variables
        self.createdAt = createdAt
    }
}

/// `GET /v1/sessions/{id}/snapshots`.
public struct SnapshotList: Codable, Sendable, Equatable {
    public var session: String
    public var snapshots: [SnapshotInfo]
    /// What the owner's snapshots (of every session) hold, and the most they may.
    public var ownerUsedBytes: Int64
    public var ownerQuotaBytes: Int64?
    public init(session: String, snapshots: [SnapshotInfo], ownerUsedBytes: Int64, ownerQuotaBytes: Int64?) {
        self.session = session
        self.snapshots = snapshots
        self.ownerUsedBytes = ownerUsedBytes
        self.ownerQuotaBytes = ownerQuotaBytes
    }
}

/// `POST /v1/sessions/{id}/fork`: a new session from a snapshot of this one (a fresh snapshot when none is
/// named). `snapshot` may also be `best`: the snapshot taken at the session's best validate.
public struct ForkRequest: Codable, Sendable, Equatable {
    public var snapshot: String?
    public var name: String?
    public init(snapshot: String? = nil, name: String? = nil) {
        self.snapshot = snapshot
        self.name = name
    }
}

/// `POST /v1/sessions/{id}/restore`: roll the running session back to one of its snapshots.
public struct RestoreRequest: Codable, Sendable, Equatable {
    public var snapshot: String
    public init(snapshot: String) { self.snapshot = snapshot }
}

/// What a restore did.
public struct RestoreInfo: Codable, Sendable, Equatable {
    public var snapshot: SnapshotInfo
    /// Bytes written into the session's layers.
    public var bytes: Int64
    public var durationMs: Int64
    /// Whether the working directory and variables were set again in the shell (not while a command or a
    /// terminal has it).
    public var shellRestored: Bool
    public init(snapshot: SnapshotInfo, bytes: Int64, durationMs: Int64, shellRestored: Bool) {
        self.snapshot = snapshot
        self.bytes = bytes
        self.durationMs = durationMs
        self.shellRestored = shellRestored
    }
}

/// `SESSION@SNAPSHOT` split at its last `@`; the snapshot part is nil without one.
public enum SnapshotReference {
    public static func split(_ reference: String) -> (session: String, snapshot: String?) {
        guard let at = reference.lastIndex(of: "@") else { return (reference, nil) }
        return (String(reference[..<at]), String(reference[reference.index(after: at)...]))
    }
}
