import Glibc
import MLGymToolSupport

/// `mlgymctl exec ID -- CMD…` without the full client: the request and the streamed answer handled here, in a
/// binary that starts in about a millisecond, because a research harness runs exec thousands of times.
///
/// Only the plain shapes are taken (`--socket`, `--timeout`, one session, `--`, a command); anything else (help,
/// other options, mistakes) goes to the full client, which explains it. What this prints and how it exits are
/// the full client's: the same output, markers, warnings and exit codes.
enum ExecFastPath {
    struct Request: Equatable {
        var socketPath: String?
        var timeout: Double?
        var session: String
        var command: [String]

        /// The request `exec`'s arguments (after the verb) describe, or nil when they are not a plain exec.
        init?(parsing arguments: ArraySlice<String>) {
            var socketPath: String?
            var timeout: Double?
            var session: String?
            var index = arguments.startIndex
            func value(of option: String, _ argument: String) -> String?? {
                if argument == option {
                    index += 1
                    return index < arguments.endIndex ? .some(arguments[index]) : .some(nil)
                }
                if argument.hasPrefix(option + "=") { return .some(String(argument.dropFirst(option.count + 1))) }
                return nil
            }
            while index < arguments.endIndex, arguments[index] != "--" {
                let argument = arguments[index]
                if let given = value(of: "--socket", argument) {
                    guard let given, socketPath == nil else { return nil }
                    socketPath = given
                } else if let given = value(of: "--timeout", argument) {
                    guard let given, timeout == nil, let seconds = Double(given), seconds.isFinite, seconds > 0 else { return nil }
                    timeout = seconds
                } else if argument.hasPrefix("-") || session != nil {
                    return nil
                } else {
                    session = argument
                }
                index += 1
            }
            guard let session, index < arguments.endIndex, index + 1 < arguments.endIndex else { return nil }
            self.socketPath = socketPath
            self.timeout = timeout
            self.session = session
            self.command = Array(arguments[(index + 1)...])
        }
    }

    /// Runs `request` and exits with the command's exit code; hands over to the full client when mlgymd cannot be
    /// reached (nothing was sent yet, and the full client words that failure).
    static func run(_ request: Request, originalArguments: [String]) -> Never {
        let socketPath = request.socketPath ?? ProcessEnvironment.value("MLGYM_SOCKET") ?? "/run/mlgym/mlgymd.sock"
        var body: [String: JSONValue] = ["command": .string(request.command.joined(separator: " "))]
        if let timeout = request.timeout { body["timeout"] = .number(String(timeout)) }
        var stream = ExecStreamReader()
        let status: Int
        do {
            status = try UnixSocketHTTPClient(socketPath: socketPath).perform(
                method: "POST", path: "/v1/sessions/\(percentEncoded(request.session))/exec?stream=true",
                headers: [("Content-Type", "application/json"), ("Accept", "application/x-ndjson")],
                body: Array(JSONWriter.text(.object(body)).utf8)
            ) { stream.receive($0) }
        } catch .connect {
            FullClient.handOff(originalArguments)
        } catch {
            fail("request to mlgymd at \(socketPath) failed: \(error.reason)")
        }
        guard (200..<300).contains(status) else {
            if let message = (try? JSONParser.parse(stream.head))?["error"]?["message"]?.stringValue { fail(message) }
            fail("mlgymd answered HTTP \(status): \(String(decoding: stream.head.prefix(300), as: UTF8.self))")
        }
        if let failure = stream.failure { fail(failure) }
        guard let result = stream.result else { fail("mlgymd ended the exec stream without a result (did it stop?)") }
        if stream.droppedBytes > 0 {
            FileIO.print(
                "mlgymctl: warning: mlgymd dropped \(stream.droppedBytes) bytes of the output because this client read it too slowly (marked where they were; mlgymctl logs keeps the head and tail)\n",
                to: STDERR_FILENO)
        }
        if result["timedOut"]?.boolValue == true {
            FileIO.print("mlgymctl: the command ran past its timeout and was killed (exit 124)\n", to: STDERR_FILENO)
        }
        exit(Int32(truncatingIfNeeded: result["exitCode"]?.intValue ?? 1))
    }

    static func fail(_ message: String) -> Never {
        FileIO.print("mlgymctl: \(message)\n", to: STDERR_FILENO)
        exit(1)
    }

    /// A path segment with everything but RFC 3986's unreserved characters percent-encoded.
    static func percentEncoded(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
