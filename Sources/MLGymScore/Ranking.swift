import MLGymCore

/// How methods are placed on one task when scores tie or are missing.
public enum RankingRule: String, Sendable, Equatable, CaseIterable {
    /// Equal scores share a rank ("1, 2, 2, 4"), missing methods share the rank after the last scored one, and
    /// nothing depends on the order of the input: mlgym's default.
    case shared
    /// MLGym's published rule (scripts/evaluation/get_ranks.py): every method takes its position in one sorted
    /// list, 1 to n, with no shared places. Equal scores keep the input's order (Python's stable sort over the
    /// order MLGym read the runs in), and missing methods follow the scored ones in the input's order (MLGym
    /// appends them in Python set order, which changes from one run to the next; a table listing each task's
    /// rows in MLGym's published order reproduces its rows exactly). Aggregate ties keep the order in which
    /// methods first appear.
    case mlgym
}

/// MLGym's rankings for one view: per-task ranks by raw score, Borda totals and mean ranks.
///
/// Ranks use raw scores, feasible or not (MLGym ranks a negative score below the baseline, not as missing).
/// Borda points are n − (rank − 1), n = number of methods including the baseline and the missing ones (MLGym's
/// n − k for 0-based position k). `RankingRule` says how ties and missing methods are placed.
public struct Ranking: Sendable, Equatable {
    /// One method's place on one task.
    public struct Entry: Sendable, Equatable {
        public let method: String
        /// nil when the method has no score on the task.
        public let score: Double?
        /// 1-based rank (shared: competition rank; mlgym: position).
        public let rank: Int
    }

    /// One task's ranking, best first.
    public struct TaskRanking: Sendable, Equatable {
        public let task: String
        public let entries: [Entry]
    }

    public let view: ScoreView
    public let rule: RankingRule
    public let tasks: [TaskRanking]
    /// Sum over tasks of n − (rank − 1).
    public let borda: [String: Int]
    /// Mean 1-based rank over tasks (MLGym calls this column "Plackett-Luce"; it is a mean rank).
    public let meanRank: [String: Double]
    /// The order in which methods first appear in the per-task rankings: the tie order of MLGym's aggregates.
    private let firstAppearance: [String: Int]

    public init(table: ScoreTable, view: ScoreView, rule: RankingRule = .shared) {
        let methods = table.methods
        let count = methods.count
        var borda = Dictionary(uniqueKeysWithValues: methods.map { ($0, 0) })
        var rankSums = Dictionary(uniqueKeysWithValues: methods.map { ($0, 0) })
        var firstAppearance: [String: Int] = [:]
        var rankings: [TaskRanking] = []
        for task in table.tasks {
            let entries = switch rule {
            case .shared: Self.shared(task.scores(view), methods: methods, direction: task.direction)
            case .mlgym: Self.positional(task, view: view, methods: methods)
            }
            for entry in entries {
                borda[entry.method, default: 0] += count - (entry.rank - 1)
                rankSums[entry.method, default: 0] += entry.rank
                if firstAppearance[entry.method] == nil { firstAppearance[entry.method] = firstAppearance.count }
            }
            rankings.append(TaskRanking(task: task.name, entries: entries))
        }
        self.view = view
        self.rule = rule
        self.tasks = rankings
        self.borda = borda
        self.meanRank = rankSums.mapValues { Double($0) / Double(table.tasks.count) }
        self.firstAppearance = firstAppearance
    }

    /// Competition ranks; equal ranks ordered by name, missing methods last by name.
    private static func shared(_ scores: [String: Double], methods: [String], direction: MetricDirection) -> [Entry] {
        let scored = methods.filter { scores[$0] != nil }.sorted { left, right in
            let (a, b) = (scores[left] ?? 0, scores[right] ?? 0)
            if a != b { return direction.isBetter(a, than: b) }
            return left < right
        }
        var entries: [Entry] = []
        for (position, method) in scored.enumerated() {
            let score = scores[method]
            let rank = entries.last.map { $0.score == score ? $0.rank : position + 1 } ?? 1
            entries.append(Entry(method: method, score: score, rank: rank))
        }
        let missingRank = scored.count + 1
        for method in methods where scores[method] == nil {
            entries.append(Entry(method: method, score: nil, rank: missingRank))
        }
        return entries
    }

    /// MLGym's positions: a stable sort of the input order, missing methods after, in input order.
    private static func positional(_ task: ScoreTable.Task, view: ScoreView, methods: [String]) -> [Entry] {
        let scores = task.scores(view)
        let listed = task.inputOrder.filter(methods.contains)
        let order = listed + methods.filter { !listed.contains($0) }
        let scored = order.enumerated().filter { scores[$0.element] != nil }.sorted { left, right in
            let (a, b) = (scores[left.element] ?? 0, scores[right.element] ?? 0)
            if a != b { return task.direction.isBetter(a, than: b) }
            return left.offset < right.offset
        }.map(\.element)
        let placed = scored + order.filter { scores[$0] == nil }
        return placed.enumerated().map { Entry(method: $0.element, score: scores[$0.element], rank: $0.offset + 1) }
    }

    /// Methods by Borda total, highest first; ties by name (shared) or by first appearance (mlgym).
    public var bordaOrder: [String] {
        borda.keys.sorted { left, right in
            let (a, b) = (borda[left] ?? 0, borda[right] ?? 0)
            return a != b ? a > b : tieOrder(left, right)
        }
    }

    /// Methods by mean rank, lowest first; ties by name (shared) or by first appearance (mlgym).
    public var meanRankOrder: [String] {
        meanRank.keys.sorted { left, right in
            let (a, b) = (meanRank[left] ?? 0, meanRank[right] ?? 0)
            return a != b ? a < b : tieOrder(left, right)
        }
    }

    private func tieOrder(_ left: String, _ right: String) -> Bool {
        switch rule {
        case .shared: left < right
        case .mlgym: (firstAppearance[left] ?? .max, left) < (firstAppearance[right] ?? .max, right)
        }
    }
}
