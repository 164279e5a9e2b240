import Foundation
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// The memory end to end: an agent in a sandbox with no network writes and reads through its session's socket,
/// people read the same scope with mlgymctl, and it all outlives the daemon.
@Suite(.serialized) struct MemoryTests {
    func agent(_ daemon: DaemonProcess, _ session: String, _ command: String) throws -> String {
        let result = try daemon.ctl(["exec", session, "--", command])
        return result.output + result.errorOutput
    }

    @Test func anAgentWithoutNetworkWritesAndReadsItsMemoryThroughItsSocket() throws {
        let outside = try FakeModelServer([])
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let without = try daemon.client.createSession(SessionSpec(task: "prisonersDilemma")).id
        #expect(try agent(daemon, without, #"memory_read "anything""#).contains("not enabled for this session"))
        let session = try daemon.client.createSession(SessionSpec(task: "prisonersDilemma", network: "none", agentMemory: true)).id
        #expect(try agent(daemon, session, #"memory_write "defecting only in round 10 scored 2.4231 against the mixed opponent""#)
            == "Content and tags saved successfully to memory.\n")
        _ = try agent(daemon, session, #"memory_write "always cooperating scored 2.24613, below tit-for-tat""#)
        let read = try agent(daemon, session, #"memory_read "which strategy scored best in round 10""#)
        #expect(read.hasPrefix("Query: which strategy scored best in round 10\nTop Matches:\n  Match 1: defecting only in round 10"), "\(read)")
        #expect(read.contains("| similarity score: 0."))
        // The same sandbox cannot reach a server on the host's loopback: the socket is its only way out.
        let direct = try agent(daemon, session, "python3 -c \"import socket; socket.create_connection(('127.0.0.1', \(outside.port)), timeout=3)\" 2>&1 | tail -1")
        #expect(direct.contains("Connection refused") || direct.contains("timed out") || direct.contains("unreachable"), "\(direct)")

        // People see the task's scope, with where each memory came from.
        let listed = try WireCoding.decoder().decode(
            MemoryList.self, from: Data(try daemon.ctl(["memory", "ls", "--task", "prisonersDilemma", "--json"]).output.utf8))
        #expect(listed.entries.count == 2)
        #expect(listed.entries.allSatisfy { $0.session == session && $0.task == "prisonersDilemma" })
        _ = try daemon.client.stopSession(without)
        #expect(listed.entries[0].tags.count == 1)

        // And it outlives the daemon.
        daemon.terminate()
        try daemon.start()
        let search = try daemon.ctl(["memory", "search", "--task", "prisonersDilemma", "always cooperating"])
        #expect(search.output.contains("Match 1: always cooperating scored 2.24613"), "\(search.output)\(search.errorOutput)")
        let export = daemon.directory + "/memory.json"
        #expect(try daemon.ctl(["memory", "export", "--task", "prisonersDilemma", "--out", export]).status == 0)
        #expect(try daemon.ctl(["memory", "import", "--scope", "copy", export]).output.contains("imported 2 memories"))
        #expect(try daemon.client.memoryList(scope: "copy").entries.count == 2)
    }

    @Test func aRunWithMemoryShowsItsRecordsInEveryMessage() throws {
        let server = try FakeModelServer([
            .command(#"memory_write "the baseline is a noisy reactive strategy and scores 2.37491""#),
            .command(#"memory_read "baseline score""#),
            .command("submit"),
        ])
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let result = try daemon.ctl([
            "run", "--json", "--task", "prisonersDilemma", "--model", "openai:m", "--api-base", server.baseURL, "--with-memory",
            "--memory-scope", "pd-notes",
        ])
        let run = try #require(try WireCoding.decoder().decode(RunList.self, from: Data(result.output.utf8)).runs.first, "\(result.errorOutput)")
        #expect(run.exitStatus == "submitted")
        let requests = server.requests
        let system = try #require(requests.first?.body?.messages?.first?.content)
        #expect(system.contains("memory_write:") && system.contains("memory_read:"))
        #expect(system.contains("literature_search:") && system.contains("parse_pdf:"), "MLGym's memory agent also searches papers")
        #expect(requests.first?.body?.messages?.last?.content.contains("(Memory records: no records, write to memory first)") == true)
        let second = try #require(requests[1].body?.messages?.last?.content)
        #expect(second.contains("Content and tags saved successfully to memory.") && second.contains("(Memory records: 1)"))
        #expect(requests[2].body?.messages?.last?.content.contains("Match 1: the baseline is a noisy reactive strategy") == true)
        let memories = try daemon.client.memoryList(scope: "pd-notes").entries
        #expect(memories.count == 1)
        #expect(memories.first?.run == run.id && memories.first?.step == 1)
    }
}
