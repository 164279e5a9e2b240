/// `open "<file>" [<line_number>]`: shows a file in the viewer, from the top or around a line.
///
/// MLGym's checks, in its order: a missing argument, an image, a directory, a missing file; then, only when a
/// line number is given, a non-numeric one and a file over 20,000 characters (MLGym refuses those only in that
/// case, a quirk kept because agents' habits formed around it); a line past the end or before the start is clamped
/// with a warning.
enum OpenCommand {
    /// Above this many bytes, `open` with a line number refuses the file (MLGym's limit).
    static let sizeLimitWithLineNumber = 20_000

    /// File extensions treated as images (MLGym asks `file --mime-type`; the extension is what that mostly sees).
    static let imageExtensions: Set<String> = [
        "png", "jpg", "jpeg", "jpe", "gif", "bmp", "tif", "tiff", "webp", "ico", "svg", "svgz", "heic", "heif", "avif",
        "jp2", "ppm", "pgm", "pbm", "pnm", "xbm", "xpm", "psd", "tga", "dds", "exr", "hdr",
    ]

    static func run(_ arguments: [String], context: inout ACIContext) throws(ACIFailure) -> ACIToolResult {
        guard (1...2).contains(arguments.count), !arguments[0].isEmpty else { throw .usage(.open) }
        let given = arguments[0]
        let path = context.environment.absolute(given)
        switch FileSystem.kind(path) {
        case .regular: break
        case .directory:
            throw .error("Error: \(given) is a directory. Only files can be opened; use ls and cd to explore directories.")
        case .missing: throw .error("Error: File \(given) not found")
        case .other: throw .error("Error: \(given) is not a regular file; only regular files can be opened.")
        }
        if isImage(FileSystem.realPath(path) ?? path) {
            throw .error("Error: \(given) is an image file, and this environment cannot display images.")
        }

        var output = ACIOutput()
        let file: ViewedFile
        let currentLine: Int
        if arguments.count == 2 {
            guard let requested = LineNumber.parse(arguments[1]) else {
                throw .usage(.open, "Error: <line_number> must be a number")
            }
            file = try ViewedFile.load(path)
            guard file.byteCount <= sizeLimitWithLineNumber else {
                throw .error(
                    "Error: \(given) has more than \(sizeLimitWithLineNumber) characters. Look at part of it with "
                        + "'head -n NUM_LINES' instead.")
            }
            let viewer = file.window(context.window)
            if requested > file.lines.count {
                output.print(
                    "Warning: line \(requested) is past the end of the file (\(file.lines.count) lines); "
                        + "showing line \(file.lines.count) instead.")
                currentLine = viewer.constrained(file.lines.count)
            } else if requested < 1 {
                output.print("Warning: line \(requested) is before the first line; showing line 1 instead.")
                currentLine = viewer.constrained(1)
            } else {
                currentLine = viewer.centred(on: requested)
            }
        } else {
            file = try ViewedFile.load(path)
            currentLine = file.window(context.window).initialLine
        }
        let code = context.show(file, at: currentLine, into: &output)
        return output.result(code)
    }

    /// Whether `path` names an image by its extension.
    static func isImage(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }
}
