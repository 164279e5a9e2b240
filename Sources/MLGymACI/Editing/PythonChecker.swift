import Glibc
import MLGymToolSupport

/// The lint check that guards edits of Python files: flake8 when the interpreter has it, else a syntax check.
///
/// MLGym runs `flake8 --isolated --select=F821,F822,F831,E111,E112,E113,E999,E902` (undefined names, bad
/// indentation, syntax errors, unreadable files) before and after each edit of a `*.py` file. Agent images do not
/// always have flake8, so the check degrades:
/// 1. ``Kind/flake8`` if `<python> -c "import flake8"` succeeds: `<python> -m flake8` with MLGym's selection;
/// 2. ``Kind/compile`` if the interpreter runs but lacks flake8: `compile()` of the file, a syntax error reported as
///    one `E999 <ExceptionName>: <message>` error at its line (undefined names are then not caught);
/// 3. ``Kind/none`` if no interpreter runs: the edit is not checked, and the edit output says so.
public struct PythonChecker: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case flake8, compile, none
    }

    /// MLGym's flake8 selection.
    public static let flake8Selection = "F821,F822,F831,E111,E112,E113,E999,E902"

    /// The check that will run.
    public let kind: Kind
    /// The interpreter's absolute path, nil for ``Kind/none``.
    public let executable: String?

    /// Finds `interpreter` (a path, or a name looked up on `PATH`) and asks it whether flake8 is installed.
    public static func detect(interpreter: String, searchPath: String? = ProcessEnvironment.value("PATH")) -> PythonChecker {
        guard let executable = resolve(interpreter, searchPath: searchPath),
            let probe = try? ChildProcess.run(executable, ["-c", "import flake8"])
        else { return PythonChecker(kind: .none, executable: nil) }
        return PythonChecker(kind: probe.status == 0 ? .flake8 : .compile, executable: executable)
    }

    /// The errors the check finds in the file at `path`; none for ``Kind/none`` or when the check itself fails.
    public func check(_ path: String) -> [LintError] {
        guard let executable else { return [] }
        let arguments: [String]
        switch kind {
        case .flake8: arguments = ["-m", "flake8", "--isolated", "--select=\(Self.flake8Selection)", path]
        case .compile: arguments = ["-c", Self.compileScript, path]
        case .none: return []
        }
        guard let outcome = try? ChildProcess.run(executable, arguments) else { return [] }
        return String(decoding: outcome.output, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { LintError.parse(String($0)) }
    }

    /// Compiles the file named by `sys.argv[1]` and prints a syntax error in flake8's format.
    static let compileScript = """
        import sys
        path = sys.argv[1]
        try:
            with open(path, "rb") as handle:
                compile(handle.read(), path, "exec")
        except SyntaxError as error:
            print("%s:%d:%d: E999 %s: %s" % (path, error.lineno or 1, error.offset or 1, type(error).__name__, error.msg))
        except Exception as error:
            print("%s:1:1: E902 %s: %s" % (path, type(error).__name__, error))
        """

    /// `name` as an executable path: itself when it holds a `/`, else the first match on `searchPath`.
    static func resolve(_ name: String, searchPath: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileSystem.kind(candidate) == .regular, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
