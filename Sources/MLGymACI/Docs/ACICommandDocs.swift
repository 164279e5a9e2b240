/// The command reference the agent reads in its system prompt: every ACI command, plus `validate` and `submit`.
///
/// The layout and the signatures are MLGym's, since agents trained on MLGym recognise them; the wording is this
/// project's own. Commands come in MLGym's order: viewer, search, editing, then submission.
public enum ACICommandDocs {
    /// Multi-line commands and the line that ends their text.
    public static let terminators: [String: String] = ["edit": "end_of_edit", "insert": "end_of_insert"]

    /// The COMMANDS section of the system prompt: every command in ``all`` and then `extraCommands` (memory,
    /// literature search…), in MLGym's layout, with `{WINDOW}` replaced by `window`.
    public static func documentation(window: Int, extraCommands: [CommandDoc] = []) -> String {
        (all + extraCommands).map { $0.rendered(window: window) }.joined()
    }

    /// The documentation of the command called `name`, if it is one of ``all``.
    /// The memory commands, documented when an agent has a memory.
    public static let memory: [CommandDoc] = [
        CommandDoc(
            name: "memory_write", signature: "memory_write \"<content>\"",
            docstring: "saves a finding to your memory, which outlives this task; a keyword is derived from it",
            arguments: [.init(name: "content", type: "string", required: true, description: "the finding, in a sentence or two: what you tried, with its settings, and the result")]),
        CommandDoc(
            name: "memory_read", signature: "memory_read \"<query>\"",
            docstring: "prints the 2 memories closest to the query (by meaning and by exact terms), with their similarity",
            arguments: [.init(name: "query", type: "string", required: true, description: "what you want to recall")]),
    ]

    /// The literature commands, documented when an agent may search papers.
    public static let literature: [CommandDoc] = [
        CommandDoc(
            name: "literature_search", signature: "literature_search \"<query>\" [<number_of_results>]",
            docstring: "searches research papers (Semantic Scholar, else arXiv) and prints one JSON object per paper: paperId, title, abstract, pdf_url, year, authors",
            arguments: [
                .init(name: "query", type: "string", required: true, description: "what to search for"),
                .init(name: "number_of_results", type: "integer", required: false, description: "papers to return (default 20)"),
            ]),
        CommandDoc(
            name: "parse_pdf", signature: "parse_pdf \"<url_or_path>\" [<max_pages>]",
            docstring: "prints the text of a PDF, from a URL (such as a paper's pdf_url) or a file of your workspace; long documents are cut, and the output says where",
            arguments: [
                .init(name: "url_or_path", type: "string", required: true, description: "an http(s) URL or a path"),
                .init(name: "max_pages", type: "integer", required: false, description: "pages to read at most (default 20)"),
            ]),
    ]

    public static func doc(for name: String) -> CommandDoc? {
        all.first { $0.name == name }
    }

    public static let all: [CommandDoc] = [
        CommandDoc(
            name: "open",
            signature: "open \"<path>\" [<line_number>]",
            docstring: "opens the file at the given path in the file viewer, which shows {WINDOW} lines at a time. "
                + "With a line number, the window moves so that it shows that line.",
            arguments: [
                .init(name: "path", type: "string", required: true, description: "the path of the file to open"),
                .init(
                    name: "line_number", type: "integer", required: false,
                    description: "a line to show (without it, the window starts at the top of the file)"),
            ]),
        CommandDoc(
            name: "goto",
            signature: "goto <line_number>",
            docstring: "moves the window of the open file so that it shows <line_number>",
            arguments: [.init(name: "line_number", type: "integer", required: true, description: "the line to show")]),
        CommandDoc(
            name: "scroll_down",
            signature: "scroll_down",
            docstring: "moves the window {WINDOW} lines further down the open file (minus a small overlap)"),
        CommandDoc(
            name: "scroll_up",
            signature: "scroll_up",
            docstring: "moves the window {WINDOW} lines back up the open file (minus a small overlap)"),
        CommandDoc(
            name: "create",
            signature: "create <filename>",
            docstring: "creates a new file with the given name, holding a single empty line, and opens it",
            arguments: [
                .init(name: "filename", type: "string", required: true, description: "the name of the file to create")
            ]),
        CommandDoc(
            name: "search_dir",
            signature: "search_dir <search_term> [<dir>]",
            docstring: "searches every text file under dir (hidden files and folders excepted) for search_term and "
                + "lists the files that contain it, with how many lines match in each. Without dir, searches the "
                + "current directory.",
            arguments: [
                .init(name: "search_term", type: "string", required: true, description: "the text to look for"),
                .init(
                    name: "dir", type: "string", required: false,
                    description: "the directory to search (without it, the current directory)"),
            ]),
        CommandDoc(
            name: "search_file",
            signature: "search_file <search_term> [<file>]",
            docstring: "lists the lines of file that contain search_term, with their line numbers. Without file, "
                + "searches the open file.",
            arguments: [
                .init(name: "search_term", type: "string", required: true, description: "the text to look for"),
                .init(
                    name: "file", type: "string", required: false,
                    description: "the file to search (without it, the open file)"),
            ]),
        CommandDoc(
            name: "find_file",
            signature: "find_file <file_name> [<dir>]",
            docstring: "lists the files under dir whose names match file_name, which may use shell wildcards "
                + "such as *.py. Without dir, searches the current directory. At most 100 paths are listed.",
            arguments: [
                .init(
                    name: "file_name", type: "string", required: true,
                    description: "the file name or wildcard pattern to look for"),
                .init(
                    name: "dir", type: "string", required: false,
                    description: "the directory to search (without it, the current directory)"),
            ]),
        CommandDoc(
            name: "edit",
            signature: "edit <start_line>:<end_line>\n<replacement_text>\nend_of_edit",
            docstring: "replaces lines <start_line> to <end_line> (inclusive) of the open file with the given text, "
                + "which ends at a line holding only end_of_edit. The text is written exactly as given, so get its "
                + "indentation right. After an edit of a Python file the file is checked for errors (with flake8 "
                + "when it is installed, otherwise with a syntax check); an edit that adds errors is not applied, "
                + "and the errors are shown. Read them and send a corrected edit: sending the same edit again "
                + "fails the same way.",
            arguments: [
                .init(name: "start_line", type: "integer", required: true, description: "the first line to replace"),
                .init(
                    name: "end_line", type: "integer", required: true,
                    description: "the last line to replace (inclusive)"),
                .init(
                    name: "replacement_text", type: "string", required: true,
                    description: "the text that takes the place of those lines"),
            ],
            terminator: "end_of_edit"),
        CommandDoc(
            name: "insert",
            signature: "insert <line_number>\n<text_to_add>\nend_of_insert",
            docstring: "inserts the given text after line <line_number> of the open file (0 inserts at the top). "
                + "The text ends at a line holding only end_of_insert and is written exactly as given, so get its "
                + "indentation right. Python files are checked after an insertion as after an edit; an insertion "
                + "that adds errors is not applied.",
            arguments: [
                .init(
                    name: "line_number", type: "integer", required: true,
                    description: "the line after which the text goes"),
                .init(name: "text_to_add", type: "string", required: true, description: "the text to insert"),
            ],
            terminator: "end_of_insert"),
        CommandDoc(
            name: "submit",
            signature: "submit",
            docstring: "submits your current work for the final evaluation; this ends the session"),
        CommandDoc(
            name: "validate",
            signature: "validate",
            docstring: "evaluates your current submission and reports its metrics, without ending the session"),
    ]
}
