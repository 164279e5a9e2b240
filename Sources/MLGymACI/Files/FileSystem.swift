import Glibc
import MLGymToolSupport

/// The few file-system calls the ACI needs, over POSIX so their semantics are exact: `stat` follows links like the
/// shell's `-f`/`-d` tests, `lstat` does not (so a walk never follows links), `access(2)` answers "may *we* write
/// this?" the way the shell's `-w` does, and edits rewrite a file in place so its owner, mode and links stay.
enum FileSystem {
    enum Kind: Equatable {
        case regular, directory, other, missing
    }

    /// What `path` is, following symbolic links.
    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return kind(mode: info.st_mode)
    }

    /// What `path` itself is, without following a symbolic link (a link is `.other`).
    static func kindWithoutFollowing(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        return kind(mode: info.st_mode)
    }

    private static func kind(mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        default: .other
        }
    }

    /// Whether this process may write `path` (`access(2)` with `W_OK`, the shell's `-w`).
    static func isWritable(_ path: String) -> Bool {
        access(path, W_OK) == 0
    }

    /// The canonical absolute path of an existing `path` (`realpath(3)`), or nil when it cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The bytes of the file at `path`.
    static func read(_ path: String) throws(ACIFailure) -> [UInt8] {
        do {
            return try FileIO.read(path)
        } catch {
            throw .error("Error: cannot read \(path): \(error.reason)")
        }
    }

    /// Replaces the content of the existing file at `path` with `text`, in place (truncate and write), so the file
    /// keeps its inode, owner and mode, as MLGym's `>|` redirection does.
    static func overwrite(_ path: String, with text: String) throws(ACIFailure) {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else { throw .error("Error: cannot write \(path): \(errnoText())") }
        defer { close(descriptor) }
        try writeAll(descriptor, text, path: path)
    }

    /// Creates the file `path` with `text`, failing if anything (even a dangling link) is already there.
    static func createNew(_ path: String, with text: String) throws(ACIFailure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw .error("Error: cannot create \(path): \(errnoText())") }
        defer { close(descriptor) }
        try writeAll(descriptor, text, path: path)
    }

    private static func writeAll(_ descriptor: Int32, _ text: String, path: String) throws(ACIFailure) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .error("Error: cannot write \(path): \(errnoText())")
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The current `errno` as text, e.g. "Permission denied".
    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
