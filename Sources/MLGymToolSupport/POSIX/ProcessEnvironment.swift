import Glibc

/// This process's environment variables and identity, without Foundation's `ProcessInfo`.
public enum ProcessEnvironment {
    /// The value of `name`, nil when it is not set.
    public static func value(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Every variable, as `NAME=value` pairs split at the first `=`.
    public static func all() -> [String: String] {
        var variables: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return variables
    }

    /// The home directory: `$HOME` when set and not empty, else the password database's entry for this uid.
    public static func homeDirectory() -> String {
        if let home = value("HOME"), !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }
}
