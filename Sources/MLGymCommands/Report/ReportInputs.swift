import Foundation
import MLGymCore
import MLGymScore

/// The file side of `mlgymctl report`: reading the inputs it names and writing the output. Kept apart from the
/// command so the command only wires options to MLGymScore.
enum ReportInputs {
    /// Reads a whole text file, or standard input for "-".
    static func text(of path: String, what: String) throws(MLGymError) -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw MLGymError(.notFound, "cannot read \(what) \(path): \(reason(error)) (check the path)")
        }
    }

    /// Parses a scores CSV, prefixing errors with the file name.
    static func scores(_ path: String, baseline: String) throws(MLGymError) -> ScoreTable {
        let text = try text(of: path, what: "scores file")
        do {
            return try ScoreTableCSV.parse(text, baseline: baseline)
        } catch {
            throw MLGymError(error.code, "\(path): \(error.message)")
        }
    }

    /// Parses a costs CSV, prefixing errors with the file name.
    static func costs(_ path: String) throws(MLGymError) -> [String: MethodCost] {
        let text = try text(of: path, what: "costs file")
        do {
            return try MethodCostCSV.parse(text)
        } catch {
            throw MLGymError(error.code, "\(path): \(error.message)")
        }
    }

    /// Decodes a JSON array of run records (the shape mlgymd's result bundles use).
    static func runs(_ path: String) throws(MLGymError) -> [RunRecord] {
        let text = try text(of: path, what: "runs file")
        do {
            return try JSONDecoder().decode([RunRecord].self, from: Data(text.utf8))
        } catch let DecodingError.dataCorrupted(context) {
            throw MLGymError(.parse, "\(path): not valid JSON: \(describe(context)) (expected an array of run records)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw MLGymError(
                .parse, "\(path): a run record lacks \"\(key.stringValue)\" at \(location(context)) (see docs/scoring.md)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw MLGymError(.parse, "\(path): \(describe(context)) at \(location(context)) (see docs/scoring.md)")
        } catch {
            throw MLGymError(.parse, "\(path): \(error) (expected an array of run records)")
        }
    }

    /// Writes the report to `path`, or standard output for nil or "-".
    static func write(_ text: String, to path: String?) throws(MLGymError) {
        guard let path, path != "-" else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw MLGymError(.system, "cannot write \(path): \(reason(error)) (check that the directory exists and is writable)")
        }
    }

    /// Foundation's description of a file error, without its closing period (it goes inside a longer line).
    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    private static func location(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "the top level" : path
    }
}
