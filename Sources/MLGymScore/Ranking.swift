/// MLGym's rankings for one view: per-task ranks by raw score, Borda totals and mean ranks.
///
/// Ranks use raw scores, feasible or not (MLGym ranks a negative score below the baseline, not as missing). Where
/// MLGym's order is arbitrary, this one is fixed:
/// - methods with equal scores share a rank (competition ranking "1, 2, 2, 4"); MLGym keeps them in the order its
///   sort happened to see them;
/// - methods with no score on a task all share the rank after the last scored method; MLGym appends them in Python
///   set order, which changes from one run to the next, so any fixed order among them would reward nothing;
/// - Borda points are n − (rank − 1), n = number of methods including the baseline and the missing ones (MLGym's
///   n − k for 0-based position k);
/// - totals that tie are ordered by name.
public struct Ranking: Sendable, Equatable {
    /// One method's place on one task.
    public struct Entry: Sendable, Equatable {
        public let method: String
        /// nil when the method has no score on the task.
        public let score: Double?
        /// 1-based competition rank.
        public let rank: Int
    }

    /// One task's ranking, best first; methods with equal rank ordered by name.
    public struct TaskRanking: Sendable, Equatable {
        public let task: String
        public let entries: [Entry]
    }

    public let view: ScoreView
    public let tasks: [TaskRanking]
    /// Sum over tasks of n − (rank − 1).
    public let borda: [String: Int]
    /// Mean 1-based rank over tasks (MLGym calls this column "Plackett-Luce"; it is a mean rank).
    public let meanRank: [String: Double]

    public init(table: ScoreTable, view: ScoreView) {
        let methods = table.methods
        let count = methods.count
        var borda = Dictionary(uniqueKeysWithValues: methods.map { ($0, 0) })
        var rankSums = Dictionary(uniqueKeysWithValues: methods.map { ($0, 0) })
        var rankings: [TaskRanking] = []
        for task in table.tasks {
            let scores = task.scores(view)
            let scored = methods.filter { scores[$0] != nil }.sorted { left, right in
                let (a, b) = (scores[left] ?? 0, scores[right] ?? 0)
                if a != b { return task.direction.isBetter(a, than: b) }
                return left < right
            }
            var entries: [Entry] = []
            for (position, method) in scored.enumerated() {
                let score = scores[method]
                let rank: Int
                if let previous = entries.last, previous.score == score {
                    rank = previous.rank
                } else {
                    rank = position + 1
                }
                entries.append(Entry(method: method, score: score, rank: rank))
            }
            let missingRank = scored.count + 1
            for method in methods where scores[method] == nil {
                entries.append(Entry(method: method, score: nil, rank: missingRank))
            }
            for entry in entries {
                borda[entry.method, default: 0] += count - (entry.rank - 1)
                rankSums[entry.method, default: 0] += entry.rank
            }
            rankings.append(TaskRanking(task: task.name, entries: entries))
        }
        self.view = view
        self.tasks = rankings
        self.borda = borda
        self.meanRank = rankSums.mapValues { Double($0) / Double(table.tasks.count) }
    }

    /// Methods by Borda total, highest first; ties by name.
    public var bordaOrder: [String] {
        borda.keys.sorted { left, right in
            let (a, b) = (borda[left] ?? 0, borda[right] ?? 0)
            return a != b ? a > b : left < right
        }
    }

    /// Methods by mean rank, lowest first; ties by name.
    public var meanRankOrder: [String] {
        meanRank.keys.sorted { left, right in
            let (a, b) = (meanRank[left] ?? 0, meanRank[right] ?? 0)
            return a != b ? a < b : left < right
        }
    }
}
