import Foundation
import Glibc
import MLGymToolSupport
import Testing

struct FileIOTests {
    let directory: String

    init() throws {
        var template = Array("/tmp/mlgym-fileio-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemFailure("mkdtemp") }
        directory = String(cString: made)
    }

    @Test func removeTreeNeverFollowsALink() throws {
        let outside = directory + "/outside"
        try FileIO.makeDirectories(outside + "/kept")
        try FileIO.makeDirectories(directory + "/scratch/a/b", mode: 0o700)
        symlink(outside, directory + "/scratch/a/link")
        mkfifo(directory + "/scratch/fifo", 0o600)
        FileIO.removeTree(directory + "/scratch")
        #expect(access(directory + "/scratch", F_OK) != 0)
        #expect(access(outside + "/kept", F_OK) == 0, "the link's target survives")
        FileIO.removeTree(directory)
    }

    @Test func readingAMissingFileSaysWhichAndWhy() throws {
        let failure = try #require(throws: SystemFailure.self) { try FileIO.read(directory + "/none") }
        #expect(failure.description == "cannot read \(directory)/none: No such file or directory")
        FileIO.removeTree(directory)
    }

    @Test func aLimitedReadStopsSoonAfterTheLimit() throws {
        let endless = try FileIO.read("/dev/zero", limit: 100_000)
        #expect(endless.count > 100_000 && endless.count <= 100_000 + 65536)
        let small = try FileIO.read("/etc/hostname", limit: 1 << 20)
        #expect(small == Array(try String(contentsOfFile: "/etc/hostname", encoding: .utf8).utf8))
        FileIO.removeTree(directory)
    }

    @Test func makeDirectoriesRefusesAFileInTheWay() throws {
        let file = directory + "/file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(throws: SystemFailure.self) { try FileIO.makeDirectories(file + "/below") }
        #expect(throws: SystemFailure.self) { try FileIO.makeDirectories(file) }
        FileIO.removeTree(directory)
    }

    @Test func aChildsOutputAndStatusAreCollected() throws {
        let outcome = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(outcome.status == 3 && String(decoding: outcome.output, as: UTF8.self) == "out\nerr\n")
        let killed = try ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(killed.status == 128 + 9)
        #expect(throws: SystemFailure.self) { try ChildProcess.run("/nonexistent/tool", []) }
        FileIO.removeTree(directory)
    }
}
