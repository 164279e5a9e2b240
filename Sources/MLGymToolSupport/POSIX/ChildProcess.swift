import Glibc

/// Runs a program to completion with posix_spawn and collects what it printed.
///
/// For the short-lived tools that run as the agent inside a sandbox (the editor's Python check): one child at a
/// time, in a single-threaded process, so a plain spawn and a blocking read are all it takes.
public enum ChildProcess {
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal's number when a signal ended it (as the shell reports it).
        public var status: Int32
        /// Standard output and standard error together, as the shell's `2>&1` would give them.
        public var output: [UInt8]
    }

    /// Runs `executable` (an absolute path) with `arguments` and this process's environment, standard input empty.
    public static func run(_ executable: String, _ arguments: [String]) throws(SystemFailure) -> Outcome {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw SystemFailure("create a pipe for \(executable)") }
        // Close-on-exec, so the child holds only the duplicates it is given (the read end must see end of file).
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDERR_FILENO)

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = (argv + [nil]).withUnsafeBufferPointer { pointers in
            posix_spawn(&child, executable, &actions, nil, pointers.baseAddress!, environ)
        }
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { throw SystemFailure("start \(executable)", errno: spawned) }
        // Read before waiting: a child that fills the pipe would otherwise block forever.
        let output = (try? FileIO.readAll(pipeEnds[0])) ?? []
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemFailure("wait for \(executable)") }
        }
        let exited = status & 0x7F == 0
        return Outcome(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output: output)
    }
}
