import Foundation
import Glibc
import MLGymCore
@testable import MLGymSandbox
import Testing

/// The tree side of snapshots, on plain directories: what a capture keeps, how identical files are stored once,
/// what a materialised tree holds, and what a hostile tree cannot do.
@Suite struct SnapshotTreeTests {
    /// A fresh directory under /tmp, removed by `remove()`.
    struct Scratch {
        let path: String
        init() throws {
            var template = Array("/tmp/mlgym-snapshot-test-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw MLGymError(.system, "mkdtemp failed") }
            path = String(cString: made)
        }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
        func write(_ relative: String, _ text: String) throws {
            let url = URL(fileURLWithPath: path + "/" + relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    @Test func theIndexKeepsAnyNameAndRefusesWhatItDidNotWrite() {
        var info = stat()
        info.st_mode = S_IFREG | 0o640
        let odd = TreeEntry(kind: .file, path: "a\tb\nc\\d é", info: info, object: "ab12", target: "")
        let link = TreeEntry(kind: .symlink, path: "l", info: info, target: "../x\ty")
        let text = TreeIndex.encode([odd, link])
        #expect(TreeIndex.decode(text) == [odd, link])
        #expect(TreeIndex.decode("not an index\n") == nil)
        #expect(TreeIndex.decode(text.replacingOccurrences(of: "\\t", with: "\\q")) == nil)
    }

    @Test func aCaptureStoresIdenticalFilesOnceAndKeepsLinksAndFIFOsAsThemselves() throws {
        let source = try Scratch(), store = try Scratch(), destination = try Scratch()
        defer { source.remove(); store.remove(); destination.remove() }
        try source.write("a/one.txt", "same content")
        try source.write("b/two.txt", "same content")
        try source.write("c.txt", "other")
        try source.write("empty", "")
        symlink("/etc/shadow", source.path + "/link")
        mkfifo(source.path + "/pipe", 0o600)
        chmod(source.path + "/c.txt", 0o751)
        try FileManager.default.createDirectory(atPath: store.path + "/objects", withIntermediateDirectories: true)
        var capture = TreeCapture(objectsDirectory: store.path + "/objects", reflinks: false)
        defer { capture.close() }
        let entries = try capture.capture(source.path, into: store.path + "/tree", previous: [:])
        let files = entries.filter { $0.kind == .file && $0.size > 0 }
        #expect(files.count == 3)
        #expect(Set(files.map(\.object)).count == 2, "one object for the two identical files")
        // Objects are named by the SHA-256 of their content (libcrypto's, checked against MLGymCore's own).
        #expect(files.first { $0.path == "a/one.txt" }?.object == SHA256.hex(Array("same content".utf8)))
        #expect(capture.addedBytes == Int64("same content".utf8.count + "other".utf8.count))
        #expect(entries.first { $0.path == "link" }?.target == "/etc/shadow")
        #expect(entries.contains { $0.path == "pipe" && $0.kind == .fifo })
        var info = stat()
        lstat(store.path + "/tree/a/one.txt", &info)
        #expect(info.st_nlink == 3, "the object and the two files that hold it")

        // A second capture of the unchanged tree reads nothing again and adds nothing.
        var again = TreeCapture(objectsDirectory: store.path + "/objects", reflinks: false)
        defer { again.close() }
        let previous = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        _ = try again.capture(source.path, into: store.path + "/tree2", previous: previous)
        #expect(again.addedBytes == 0)

        var materializer = TreeMaterializer(owner: .init(fromUID: 0, fromGID: 0, toUID: 0, toGID: 0))
        let sourceFD = try DirectoryWalk.openRoot(store.path + "/tree")
        defer { close(sourceFD) }
        let destinationFD = try DirectoryWalk.openRoot(destination.path)
        defer { close(destinationFD) }
        try materializer.materialize(entries, from: sourceFD, into: destinationFD)
        #expect(try String(contentsOfFile: destination.path + "/b/two.txt", encoding: .utf8) == "same content")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: destination.path + "/link") == "/etc/shadow")
        lstat(destination.path + "/pipe", &info)
        #expect(info.st_mode & S_IFMT == S_IFIFO)
        lstat(destination.path + "/c.txt", &info)
        #expect(info.st_mode & 0o777 == 0o751)
        #expect(info.st_nlink == 1, "a materialised file shares nothing with the store")
        #expect(FileManager.default.fileExists(atPath: destination.path + "/empty"))
    }

    @Test func aTreeNestedPastTheLimitIsRefusedNotFollowedToTheEnd() throws {
        let source = try Scratch(), store = try Scratch()
        defer { source.remove(); store.remove() }
        var path = source.path
        for _ in 0..<(DirectoryWalk.maximumDepth + 5) {
            path += "/d"
            mkdir(path, 0o755)
        }
        var capture = TreeCapture(objectsDirectory: store.path, reflinks: false)
        defer { capture.close() }
        #expect(throws: MLGymError.self) { try capture.capture(source.path, into: store.path + "/tree", previous: [:]) }
    }

    @Test func aSparseFileBeyondTheBudgetIsRefusedBeforeItIsRead() throws {
        let source = try Scratch(), store = try Scratch()
        defer { source.remove(); store.remove() }
        let fd = open(source.path + "/huge", O_WRONLY | O_CREAT, 0o644)
        ftruncate(fd, 1 << 40)
        close(fd)
        var capture = TreeCapture(objectsDirectory: store.path, reflinks: false, budgetBytes: 1 << 30)
        defer { capture.close() }
        do {
            _ = try capture.capture(source.path, into: store.path + "/tree", previous: [:])
            Issue.record("a 1 TiB sparse file was captured")
        } catch {
            #expect(error.message.contains("snapshot quota"), "\(error.message)")
        }
    }
}
