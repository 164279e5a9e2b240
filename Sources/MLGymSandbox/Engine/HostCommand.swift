import CSandbox
import Foundation
import Glibc
import MLGymCore

/// Runs a host tool as root (`mkfs.ext4`, `mount`, `cp`, `rm`, `chmod`) and turns a failure into an error that says what was
/// being done.
///
/// posix_spawn with every descriptor above stderr closed in the child and waitpid on that one pid: a tool
/// started while a sandbox is being built, or beside other children, can neither inherit their pipes (which
/// would keep a reader waiting for an end of file) nor have its exit reaped by someone else.
public enum HostCommand {
    public static func run(_ tool: String, _ arguments: [String], doing what: String) throws(MLGymError) {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            throw MLGymError(.system, "\(what): cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // mlgymd ignores SIGPIPE and handles SIGTERM itself; the tool gets the default dispositions.
        let errorEnd = pipeEnds[1]
        let child: pid_t
        do {
            child = try spawn(tool, arguments, environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"], doing: what) { actions in
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_adddup2(&actions, errorEnd, 2)
            }
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        close(pipeEnds[1])
        var errors: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipeEnds[0], &buffer, buffer.count)
            if count > 0 {
                if errors.count < 16384 { errors += buffer[0..<count] }
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(pipeEnds[0])
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw MLGymError(.system, "\(what): \(message.isEmpty ? "\(tool) exited with \(exitCode)" : message)")
        }
    }

    /// mlgymd's one way to start a host program: posix_spawn with descriptors 0-2 set up by `standardStreams`,
    /// every descriptor above them closed in the child, and default signal dispositions and mask.
    static func spawn(
        _ tool: String, _ arguments: [String], environment: [String], doing what: String,
        standardStreams: (inout posix_spawn_file_actions_t) -> Void
    ) throws(MLGymError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        standardStreams(&actions)
        _ = mlg_spawn_actions_close_from(&actions, 3)
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        _ = mlg_spawnattr_default_signals(&attributes)
        var child: pid_t = 0
        let result = posix_spawn(&child, tool, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw MLGymError(.unsupported, "\(what): cannot run \(tool): \(String(cString: strerror(result)))")
        }
        return child
    }
}
