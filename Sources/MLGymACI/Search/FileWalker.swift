import MLGymToolSupport

/// Lists the regular files under a directory, recursively, in a fixed order, as `find <dir> -type f` would.
///
/// Written out instead of using `FileManager`'s enumerator for two reasons: hidden directories must be pruned, not
/// walked and filtered (a `.git` or `.venv` can hold many thousands of files), and entries are classified with
/// `lstat`, so symbolic links are neither followed into nor reported, exactly like `find` without `-L`.
/// Unreadable directories are skipped silently.
enum FileWalker {
    /// The absolute paths of the regular files under `root`, depth first, names in byte order.
    ///
    /// - Parameter skippingHidden: leave out every file and directory below `root` whose name starts with `.`
    ///   (the root itself may be hidden).
    static func regularFiles(under root: String, skippingHidden: Bool) -> [String] {
        var files: [String] = []
        walk(root, skippingHidden: skippingHidden, into: &files)
        return files
    }

    private static func walk(_ directory: String, skippingHidden: Bool, into files: inout [String]) {
        guard let names = FileIO.directoryEntries(directory) else { return }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if skippingHidden && name.hasPrefix(".") { continue }
            let path = prefix + name
            switch FileSystem.kindWithoutFollowing(path) {
            case .regular: files.append(path)
            case .directory: walk(path, skippingHidden: skippingHidden, into: &files)
            case .other, .missing: continue
            }
        }
    }

    /// Whether `path`, below `root`, passes through a hidden directory or is a hidden file.
    static func isHidden(_ path: String, below root: String) -> Bool {
        let relative = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
        return relative.split(separator: "/").contains { $0.hasPrefix(".") }
    }
}
