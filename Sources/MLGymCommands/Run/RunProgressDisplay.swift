import Foundation
import MLGymAPI

/// The live view of runs: in a terminal, one line per run redrawn in place; otherwise a plain line whenever a
/// run's step or state changes (logs and CI stay readable).
final class RunProgressDisplay {
    let terminal: Bool
    private var drawnLines = 0
    private var lastShown: [String: String] = [:]

    init(terminal: Bool) {
        self.terminal = terminal
    }

    func show(_ runs: [RunInfo]) {
        let lines = runs.map(Self.line)
        if terminal {
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            for line in lines { text += "\r\u{1B}[2K" + line + "\n" }
            drawnLines = lines.count
            write(text)
        } else {
            for (run, line) in zip(runs, lines) where lastShown[run.id] != line {
                lastShown[run.id] = line
                write(line + "\n")
            }
        }
    }

    /// Lets other output (a human run's observation) start below the progress lines.
    func release() { drawnLines = 0 }

    func finish() { drawnLines = 0 }

    static func line(_ run: RunInfo) -> String {
        var parts = [String(run.id.prefix(12)), "seed \(run.seed)", "step \(run.steps)/\(run.maxSteps)", String(format: "$%.4f", run.cost)]
        if let metric = run.metric, let best = run.bestAttempt {
            parts.append("best \(metric) \(RunTable.number(best))")
        }
        parts.append(run.exitStatus.map { run.isActive ? run.state : "\(run.state): \($0)" } ?? run.state)
        if run.state == "failed", let message = run.message { parts.append("(\(message))") }
        return parts.joined(separator: "  ")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// The summary printed when runs end.
enum RunTable {
    static func render(_ runs: [RunInfo]) -> String {
        let rows = runs.map { run in
            [
                String(run.id.prefix(12)), run.task, run.model, "\(run.seed)", run.exitStatus ?? run.state, "\(run.steps)",
                run.bestAttempt.map(number) ?? "-", run.submission.map(number) ?? "-",
                "\(run.tokensSent)/\(run.tokensReceived)", String(format: "$%.4f", run.cost),
            ]
        }
        let metric = runs.first?.metric ?? "score"
        return Output.table(
            ["RUN", "TASK", "MODEL", "SEED", "EXIT STATUS", "STEPS", "BEST \(metric)", "SUBMITTED \(metric)", "TOKENS IN/OUT", "COST"], rows)
    }

    static func number(_ value: Double) -> String {
        String(format: "%.6g", value)
    }
}
