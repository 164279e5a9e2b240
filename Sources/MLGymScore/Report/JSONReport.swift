import Foundation
import MLGymCore

/// The report as JSON for programs: `max_tau`, `epsilon`, `baseline`, `methods` (ordered by AUP, with AUP, Borda,
/// mean rank and cost per view), `tasks` (scores, ratios, standings and ranks per view) and, when runs were given,
/// `run_outcomes` (exit statuses, failed and incomplete runs, steps and actions; see `RunOutcomes`).
public enum JSONReport {
    struct Document: Encodable {
        let maxTau: Double
        let epsilon: Double
        let baseline: String
        let methods: [Method]
        let tasks: [Task]
        let paretoFrontBestAttempt: [String]
        let paretoFrontBestSubmission: [String]
        /// `shared` or `mlgym` (see `RankingRule`), and the aggregate orders MLGym publishes as rank-table rows.
        let rankingRule: String
        let bordaOrderBestAttempt: [String]
        let bordaOrderBestSubmission: [String]
        let meanRankOrderBestAttempt: [String]
        let meanRankOrderBestSubmission: [String]
        /// Left out of a scores-only report.
        let runOutcomes: RunOutcomes?
    }

    struct Method: Encodable {
        let method: String
        let aupBestAttempt: Double
        let aupBestSubmission: Double
        let bordaBestAttempt: Int
        let bordaBestSubmission: Int
        let meanRankBestAttempt: Double
        let meanRankBestSubmission: Double
        let runs: Int?
        let dollarsPerRun: Double?
        let tokensSentPerRun: Double?
        let tokensReceivedPerRun: Double?
    }

    struct Task: Encodable {
        let task: String
        let direction: String
        let bestAttempt: [Cell]
        let bestSubmission: [Cell]
    }

    struct Cell: Encodable {
        let method: String
        let score: Double?
        let ratio: Double
        let standing: String
        let rank: Int
    }

    public static func render(_ report: ScoreReport) -> String {
        let analysis = report.analysis
        let methods = report.methodsByAUP.map { method in
            let cost = report.costs[method]
            return Method(
                method: method,
                aupBestAttempt: analysis.aup(method, .bestAttempt),
                aupBestSubmission: analysis.aup(method, .bestSubmission),
                bordaBestAttempt: report.bestAttemptRanking.borda[method] ?? 0,
                bordaBestSubmission: report.bestSubmissionRanking.borda[method] ?? 0,
                meanRankBestAttempt: report.bestAttemptRanking.meanRank[method] ?? 0,
                meanRankBestSubmission: report.bestSubmissionRanking.meanRank[method] ?? 0,
                runs: cost?.runs, dollarsPerRun: cost?.dollarsPerRun, tokensSentPerRun: cost?.tokensSentPerRun,
                tokensReceivedPerRun: cost?.tokensReceivedPerRun)
        }
        let tasks = report.table.tasks.enumerated().map { index, task in
            func cells(_ view: ScoreView) -> [Cell] {
                let ratios = analysis.profile(view).tasks[index]
                return report.ranking(view).tasks[index].entries.map { entry in
                    Cell(
                        method: entry.method, score: entry.score, ratio: ratios.ratios[entry.method] ?? 0,
                        standing: ratios.standings[entry.method]?.rawValue ?? "missing", rank: entry.rank)
                }
            }
            return Task(
                task: task.name, direction: task.direction.rawValue, bestAttempt: cells(.bestAttempt),
                bestSubmission: cells(.bestSubmission))
        }
        let document = Document(
            maxTau: analysis.maxTau, epsilon: analysis.epsilon, baseline: report.table.baseline, methods: methods,
            tasks: tasks, paretoFrontBestAttempt: report.bestAttemptFrontier.front,
            paretoFrontBestSubmission: report.bestSubmissionFrontier.front,
            rankingRule: report.bestAttemptRanking.rule.rawValue,
            bordaOrderBestAttempt: report.bestAttemptRanking.bordaOrder,
            bordaOrderBestSubmission: report.bestSubmissionRanking.bordaOrder,
            meanRankOrderBestAttempt: report.bestAttemptRanking.meanRankOrder,
            meanRankOrderBestSubmission: report.bestSubmissionRanking.meanRankOrder, runOutcomes: report.outcomes)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Every value is a finite number, string or nil, so encoding cannot fail; an empty object is the fallback
        // the type system asks for.
        guard let data = try? encoder.encode(document) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
