/// The two ways MLGym turns a method's runs on a task into one score; AUP and rankings are computed for each.
public enum ScoreView: String, Sendable, Codable, Hashable, CaseIterable {
    /// The best score any evaluation (validate or submit) of any run reached: what the agent could find.
    case bestAttempt = "best_attempt"
    /// The best over runs of each run's last evaluation: what the agent would actually hand in.
    case bestSubmission = "best_submission"

    /// The name people read in tables and plot titles.
    public var title: String {
        switch self {
        case .bestAttempt: "Best Attempt"
        case .bestSubmission: "Best Submission"
        }
    }

    /// A short form for narrow table headers.
    public var abbreviation: String {
        switch self {
        case .bestAttempt: "BA"
        case .bestSubmission: "BS"
        }
    }
}
