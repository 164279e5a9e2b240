import Glibc
import MLGymToolSupport

/// One request from an in-sandbox tool to its session's agent socket, and the one-line failure every tool ends
/// with: `validate: <what went wrong>` on standard error, exit 1.
struct AgentSocketCall {
    /// The tool's name (`validate`, `memory_read`…), for messages.
    let tool: String
    /// The command that does the same from outside a session, for the hint when there is no session socket.
    let outside: String

    /// Where the session's socket is inside the sandbox.
    static var socketPath: String { ProcessEnvironment.value("MLGYM_AGENT_SOCKET") ?? "/run/mlgym/agent.sock" }

    /// POSTs `body` to `path` and returns the answer's JSON; ends the process with a message on any failure.
    func post(_ path: String, _ body: JSONValue) -> JSONValue {
        let socketPath = Self.socketPath
        let client = UnixSocketHTTPClient(socketPath: socketPath)
        var received: [UInt8] = []
        let status: Int
        do {
            status = try client.perform(
                method: "POST", path: path, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                body: Array(JSONWriter.text(body).utf8)
            ) { received.append(contentsOf: $0) }
        } catch .connect(let code) where code == ENOENT || code == ECONNREFUSED {
            fail("no session socket at \(socketPath): \(tool) works inside an mlgym task session (from outside, use '\(outside)')")
        } catch .connect(let code) where code == EACCES || code == EPERM {
            fail("permission denied on \(socketPath) (it belongs to the session's agent user)")
        } catch {
            fail("request to mlgymd at \(socketPath) failed: \(error.reason)")
        }
        let answer = try? JSONParser.parse(received)
        guard (200..<300).contains(status) else {
            if let message = answer?["error"]?["message"]?.stringValue { fail(message) }
            fail("mlgymd answered HTTP \(status): \(String(decoding: received.prefix(300), as: UTF8.self))")
        }
        guard let answer else { fail("mlgymd answered \(path) with something that is not JSON") }
        return answer
    }

    /// Prints `message` as the tool's one-line error and exits 1.
    func fail(_ message: String) -> Never {
        FileIO.print("\(tool): \(message)\n", to: STDERR_FILENO)
        exit(1)
    }

    /// The answer's string member `key`, or the tool's failure when mlgymd sent something else.
    func string(_ answer: JSONValue, _ key: String) -> String {
        guard let text = answer[key]?.stringValue else { fail("mlgymd's answer has no \(key)") }
        return text
    }
}
