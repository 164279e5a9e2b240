import Foundation

/// The distributions a pip requirements file names (MLGym's `requirements_path`, the task's own conda
/// environment), by their normalised project names (PEP 503: lower case, runs of `-`, `_`, `.` as one `-`), so
/// `tensorflow_probability` in the file matches `tensorflow-probability` as installed.
///
/// Versions, extras and markers are read past: mlgym runs every task on one root filesystem whose pins are chosen
/// for all tasks (rootfs/requirements), so what matters is whether each named project is there.
public enum PythonRequirements {
    public static func distributions(in text: String) -> [String] {
        var names: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            line = line.drop(while: \.isWhitespace)
            // Options (`-r other.txt`, `--index-url`) and URLs name no project by themselves.
            guard let first = line.first, first != "-", !line.contains("://") else { continue }
            let name = line.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }
            guard !name.isEmpty else { continue }
            let normalised = normalise(String(name))
            if !names.contains(normalised) { names.append(normalised) }
        }
        return names
    }

    /// PEP 503's normal form of a project name.
    public static func normalise(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if "-_.".contains(character) {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }
}
