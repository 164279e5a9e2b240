import Foundation

/// One snapshot of a session, as the store keeps it.
public struct SnapshotRecord: Sendable, Equatable, Identifiable {
    public var id: String
    public var sessionID: String
    /// The session's count of snapshots at this one, from 1.
    public var number: Int
    public var name: String?
    public var ownerUID: UInt32
    /// `image` or `tree` (see `SnapshotStore.Kind`).
    public var kind: String
    /// `manual`, `validate` or `fork`.
    public var trigger: String
    /// The validate evaluation this snapshot was taken at.
    public var evaluationID: Int64?
    public var bytes: Int64
    public var frozen: Bool
    public var frozenMilliseconds: Double
    /// The shell state carried to forks, as JSON.
    public var shell: String
    public var createdAt: Date

    public init(
        id: String, sessionID: String, number: Int = 0, name: String?, ownerUID: UInt32, kind: String, trigger: String,
        evaluationID: Int64? = nil, bytes: Int64, frozen: Bool, frozenMilliseconds: Double, shell: String = "{}",
        createdAt: Date = Date()
    ) {
        self.id = id
        self.sessionID = sessionID
        self.number = number
        self.name = name
        self.ownerUID = ownerUID
        self.kind = kind
        self.trigger = trigger
        self.evaluationID = evaluationID
        self.bytes = bytes
        self.frozen = frozen
        self.frozenMilliseconds = frozenMilliseconds
        self.shell = shell
        self.createdAt = createdAt
    }
}
