import Foundation
import Testing

@testable import MLGymACI

@Suite struct CreateCommandTests {
    @Test func createWritesOneEmptyLineAndOpensTheFile() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let result = workspace.run(.create, "train.py")
        #expect(result.exitCode == 0)
        #expect(try workspace.read("train.py") == "\n")
        #expect(result.output == "[File: \(workspace.path("train.py")) (1 lines total)]\n1:\n")
        #expect(workspace.state.openFile == workspace.path("train.py"))
    }

    @Test func createOfAnExistingFileIsAnErrorThatStillOpensIt() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("train.py", "print(1)\n")
        let result = workspace.run(.create, "train.py")
        #expect(result.exitCode == 1)
        #expect(result.output.hasPrefix("Error: File 'train.py' already exists.\n[File: "))
        #expect(result.output.contains("1:print(1)"))
        #expect(try workspace.read("train.py") == "print(1)\n")
        #expect(workspace.state.openFile == workspace.path("train.py"))
    }

    @Test func createInAMissingDirectoryFails() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let result = workspace.run(.create, "src/model.py")
        #expect(result.exitCode == 1)
        #expect(result.output.contains("mkdir -p"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("src/model.py")))
    }

    @Test func createNeedsExactlyOneName() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        #expect(workspace.run(.create).exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.create, "a.py", "b.py").exitCode == ACIToolResult.usageError)
    }
}
