import Glibc
import MLGymACI
import MLGymToolSupport

/// `open`, `edit`, `search_dir`… inside a task session: one ACI command, as the agent, in the shell's working
/// directory. edit and insert read their new text from standard input (the agent loop turns the text after the
/// command into a here-document).
enum ACIToolMain {
    static func main(_ command: ACICommand, arguments: [String]) -> Never {
        var input: String?
        if command == .edit || command == .insert {
            input = String(decoding: (try? FileIO.readAll(STDIN_FILENO)) ?? [], as: UTF8.self)
        }
        let result = ACITool.run(command, arguments: arguments, standardInput: input, environment: .fromProcess())
        if !result.output.isEmpty {
            FileIO.print(result.output.hasSuffix("\n") ? result.output : result.output + "\n")
        }
        exit(result.exitCode)
    }
}
