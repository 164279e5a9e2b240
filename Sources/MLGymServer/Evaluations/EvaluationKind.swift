/// What asked for an evaluation; a submission (`submit`, `autosubmit`) is the session's last.
enum EvaluationKind: String, CaseIterable, Sendable {
    case validate, submit, autosubmit, baseline

    var isSubmission: Bool { self == .submit || self == .autosubmit }
}
