import Glibc
import MLGymToolSupport

/// The full mlgymctl (every verb, with Foundation and the argument parser), installed beside this one as
/// `mlgymctl-full`: what the light `mlgymctl` runs for everything it does not handle itself.
enum FullClient {
    static let executableName = "mlgymctl-full"

    /// Where the full client is: beside the file this process runs (links resolved, so a link to mlgymctl in
    /// /usr/local/bin still finds it in the build directory).
    static var path: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/usr/local/bin/mlgymctl"
        return FileIO.parentDirectory(executable) + "/" + executableName
    }

    /// Replaces this process with the full client, given the same arguments.
    static func handOff(_ arguments: [String]) -> Never {
        let target = path
        let argv = arguments.map { strdup($0) } + [nil]
        execv(target, argv)
        let reason = String(cString: strerror(errno))
        let verb = arguments.dropFirst().first.map { "'\($0)'" } ?? "this command"
        FileIO.print(
            "mlgymctl: \(verb) needs the full client, \(target), which cannot be run (\(reason)); install mlgymctl and mlgymctl-full side by side (inside a task session, use validate, submit and the file commands instead)\n",
            to: STDERR_FILENO)
        exit(1)
    }
}
