import Glibc

/// `find_file <file_name> [<dir>]`: the files under a directory whose names match a shell pattern (`*`, `?`,
/// `[...]`), as `find <dir> -type f -name <pattern>` lists them.
///
/// MLGym prints every match. Here at most ``listLimit`` paths are printed, then a line saying how many more there
/// are, because one `find_file "*.py"` over a virtual environment can otherwise flood the agent's context. Like
/// MLGym, hidden directories are searched, but their files are listed after all the others so that the agent's
/// own files come first.
enum FindFileCommand {
    /// The most paths printed.
    static let listLimit = 100

    static func run(_ arguments: [String], context: ACIContext) throws(ACIFailure) -> ACIToolResult {
        guard (1...2).contains(arguments.count), !arguments[0].isEmpty else { throw .usage(.find_file) }
        let pattern = arguments[0]
        let directory = try SearchScope.directory(arguments.count == 2 ? arguments[1] : nil, context: context)

        let matches = FileWalker.regularFiles(under: directory, skippingHidden: false).filter { path in
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return fnmatch(pattern, name, 0) == 0
        }
        var output = ACIOutput()
        guard !matches.isEmpty else {
            output.print("No matches found for \"\(pattern)\" in \(directory)")
            return output.result()
        }
        let visibleFirst =
            matches.filter { !FileWalker.isHidden($0, below: directory) }
            + matches.filter { FileWalker.isHidden($0, below: directory) }
        output.print("Found \(matches.count) matches for \"\(pattern)\" in \(directory):")
        for path in visibleFirst.prefix(listLimit) { output.print(path) }
        if matches.count > listLimit {
            output.print(
                "...and \(matches.count - listLimit) more not shown. Narrow your search with a more specific name "
                    + "or a subdirectory.")
        }
        return output.result()
    }
}
