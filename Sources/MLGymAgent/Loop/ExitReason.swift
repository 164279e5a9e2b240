/// Why a run ended, with MLGym's names, so exit statuses read (and group) the same as in MLGym's results.
public enum ExitReason: String, Sendable, Codable, CaseIterable {
    case submitted = "submit"
    case maxSteps = "max_steps"
    case cost = "exit_cost"
    /// The run's wall-time limit (a campaign's `limits.time`); not one of MLGym's, which has no time limit.
    case time = "exit_time"
    case context = "exit_context"
    case format = "exit_format"
    case api = "exit_api"
    case error = "exit_error"
    case forfeit = "exit_forfeit"
    case skipped = "skip"
    /// Stopped by a person (Ctrl-C, `mlgymctl stop`) or by the daemon going away; not an MLGym status.
    case interrupted

    /// Whether the current artefact is evaluated as the final submission (every ending except a deliberate one).
    public var autoSubmits: Bool {
        switch self {
        case .submitted, .forfeit, .skipped, .interrupted: false
        default: true
        }
    }
}

/// How the final evaluation went, in the words MLGym's exit statuses use.
public enum FinalEvaluation: Sendable, Equatable {
    case succeeded
    case artefactMissing
    case failed
    case error(String)

    /// MLGym's exit status for a run that ended for `reason` with this evaluation: "submitted",
    /// "autosubmission (max_steps)", "submission_not_found (exit_cost)", "evaluation_format_error (submit)"…
    public func exitStatus(for reason: ExitReason) -> String {
        switch (self, reason) {
        case (.succeeded, .submitted): "submitted"
        case (.succeeded, _): "autosubmission (\(reason.rawValue))"
        case (.artefactMissing, _): "submission_not_found (\(reason.rawValue))"
        case (.failed, _): "evaluation_format_error (\(reason.rawValue))"
        case (.error(let message), _): "\(message), (\(reason.rawValue))"
        }
    }
}
