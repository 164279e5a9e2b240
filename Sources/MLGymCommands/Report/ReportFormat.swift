import ArgumentParser
import MLGymScore

/// The output formats of `mlgymctl report`, each one renderer of MLGymScore.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    case md
    case csv
    case json
    case svg
    case html

    func render(_ report: ScoreReport) -> String {
        switch self {
        case .md: MarkdownReport.render(report)
        case .csv: CSVReport.render(report)
        case .json: JSONReport.render(report)
        case .svg: SVGPlot.render(report)
        case .html: HTMLReport.render(report)
        }
    }

    static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
