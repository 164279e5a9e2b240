import Foundation
import Testing

@testable import MLGymACI

@Suite struct ViewerStateStoreTests {
    @Test func savedStateLoadsBack() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let store = ViewerStateStore(directory: workspace.stateDirectory)
        let state = ViewerState(openFile: "/home/agent/workspace/train.py", currentLine: 512, scrollCount: 2)
        try store.save(state)
        #expect(store.load() == state)
    }

    @Test func stateFileUsesMLGymNames() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let store = ViewerStateStore(directory: workspace.stateDirectory)
        try store.save(ViewerState(openFile: "/w/a.py", currentLine: 7))
        let json = try #require(FileManager.default.contents(atPath: store.path))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["open_file"] as? String == "/w/a.py")
        #expect(object["current_line"] as? Int == 7)
    }

    @Test func missingOrCorruptStateMeansNoOpenFile() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let store = ViewerStateStore(directory: workspace.stateDirectory)
        #expect(store.load() == ViewerState())
        try FileManager.default.createDirectory(atPath: workspace.stateDirectory, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(store.load().openFile == nil)
    }

    @Test func stateWithoutScrollCountStillLoads() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let store = ViewerStateStore(directory: workspace.stateDirectory)
        try FileManager.default.createDirectory(atPath: workspace.stateDirectory, withIntermediateDirectories: true)
        try Data(#"{"open_file": "/w/a.py", "current_line": 3}"#.utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(store.load() == ViewerState(openFile: "/w/a.py", currentLine: 3, scrollCount: 0))
    }

    @Test func stateDirectoryIsCreatedPrivateAndHoldsNoTemporaryFiles() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let store = ViewerStateStore(directory: workspace.stateDirectory)
        try store.save(ViewerState(openFile: "/w/a.py", currentLine: 1))
        try store.save(ViewerState(openFile: "/w/b.py", currentLine: 2))
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.stateDirectory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.stateDirectory) == ["viewer.json"])
    }
}
