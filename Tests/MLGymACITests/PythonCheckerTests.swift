import Foundation
import Testing

@testable import MLGymACI

@Suite struct PythonCheckerTests {
    @Test func missingInterpreterMeansNoCheck() {
        #expect(PythonChecker.detect(interpreter: "/nonexistent/python3").kind == .none)
        #expect(PythonChecker.detect(interpreter: "no-such-python-here", searchPath: "/nonexistent").kind == .none)
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "needs /usr/bin/python3"))
    func interpreterIsFoundOnThePath() {
        #expect(PythonChecker.resolve("python3", searchPath: "/nonexistent:/usr/bin") == "/usr/bin/python3")
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "needs /usr/bin/python3"))
    func syntaxErrorIsReportedAsE999AtItsLine() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("bad.py", "x = 1\ny = (\n")
        try workspace.write("good.py", "x = 1\n")
        let checker = PythonChecker.detect(interpreter: "/usr/bin/python3")
        #expect(checker.kind != .none)
        let errors = checker.check(workspace.path("bad.py"))
        #expect(errors.count == 1)
        #expect(errors.first?.line == 2)
        #expect(errors.first?.message.hasPrefix("E999 SyntaxError") == true)
        #expect(checker.check(workspace.path("good.py")).isEmpty)
    }
}
