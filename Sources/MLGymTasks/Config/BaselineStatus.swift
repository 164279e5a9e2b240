/// Where a task's recorded baseline comes from. A baseline is the anchor of every AUP computed against it, so a
/// listing says which recorded values were reproduced here and which are taken on trust.
public enum BaselineStatus: String, Sendable, Equatable, CaseIterable, Codable {
    /// The task's own baseline code produced this value here (the command is in tasks/README.md).
    case measured
    /// A published value (MLGym's) for baseline code that is semantically MLGym's, not yet reproduced here. A task
    /// file that does not say is taken to be this: an MLGym checkout's values are MLGym's published ones.
    case unverified
}
