/// The directory a `search_dir` or `find_file` searches: the given one or the current one, as a canonical path.
enum SearchScope {
    static func directory(_ given: String?, context: ACIContext) throws(ACIFailure) -> String {
        let path = context.environment.absolute(given ?? ".")
        guard FileSystem.kind(path) == .directory, let canonical = FileSystem.realPath(path) else {
            throw .error("Error: Directory \(given ?? path) not found")
        }
        return canonical
    }
}
