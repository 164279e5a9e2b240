/// `search_dir <search_term> [<dir>]`: which files under a directory contain the term, and how many lines each.
///
/// MLGym runs `find <dir> -type f ! -path '*/.*' -exec grep -nIH <term>`: regular files only, no hidden files or
/// directories, no binary files, and the term read as a basic regular expression (see ``LineMatcher``). One
/// difference: MLGym's hidden-path test looks at the whole path, so a workspace inside a hidden directory finds
/// nothing at all; here only names below the searched directory count.
enum SearchDirCommand {
    /// More matching files than this and the command asks for a narrower search instead (MLGym's limit).
    static let fileLimit = 100

    static func run(_ arguments: [String], context: ACIContext) throws(ACIFailure) -> ACIToolResult {
        guard (1...2).contains(arguments.count), !arguments[0].isEmpty else { throw .usage(.search_dir) }
        let term = arguments[0]
        let directory = try SearchScope.directory(arguments.count == 2 ? arguments[1] : nil, context: context)

        let matcher = LineMatcher(term: term)
        var counts: [(path: String, lines: Int)] = []
        for path in FileWalker.regularFiles(under: directory, skippingHidden: true) {
            guard let bytes = try? FileSystem.read(path), !TextSearch.isBinary(bytes) else { continue }
            let matching = TextSearch.matchingLineNumbers(in: bytes, matcher: matcher).count
            if matching > 0 { counts.append((path, matching)) }
        }

        var output = ACIOutput()
        guard !counts.isEmpty else {
            output.print("No matches found for \"\(term)\" in \(directory)")
            return output.result()
        }
        guard counts.count <= fileLimit else {
            output.print(
                "More than \(fileLimit) files matched for \"\(term)\" in \(directory) (\(counts.count) files). "
                    + "Please narrow your search.")
            return output.result()
        }
        // `sort` order of the whole paths (byte order), as MLGym's `sort | uniq -c` gives.
        counts.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        output.print("Found \(counts.reduce(0) { $0 + $1.lines }) matches for \"\(term)\" in \(directory):")
        for entry in counts { output.print("\(entry.path) (\(entry.lines) matches)") }
        output.print("End of matches for \"\(term)\" in \(directory)")
        return output.result()
    }
}
