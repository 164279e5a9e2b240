import Foundation

/// The package indexes sessions in `packages` network mode may reach through mlgymd's proxy, and nothing else.
///
/// An index is allowed by host and port exactly as its URL names them (`https://pypi.org/simple` → pypi.org:443).
/// PyPI serves its files from another host, so allowing pypi.org allows files.pythonhosted.org:443 too. With no
/// `--package-index`, the index is the one pip is configured with on the host (PIP_INDEX_URL, then pip.conf's
/// `index-url`), else PyPI.
public struct PackageIndexPolicy: Sendable, Equatable {
    struct Endpoint: Hashable, Sendable {
        var host: String
        var port: Int
    }

    /// The index URLs, the first being pip's `index-url` inside the sandbox and the others extra indexes.
    public let indexes: [String]
    let endpoints: Set<Endpoint>

    static let pypi = "https://pypi.org/simple"

    /// Fails with the URL that is not an http(s) URL with a host.
    public init(indexes: [String]) throws(PolicyError) {
        var endpoints: Set<Endpoint> = []
        for index in indexes {
            guard let url = URLComponents(string: index), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host?.lowercased(), !host.isEmpty, url.user == nil
            else { throw PolicyError(message: "package index '\(index)' must be an http:// or https:// URL with a host and no user name") }
            endpoints.insert(Endpoint(host: host, port: url.port ?? (scheme == "https" ? 443 : 80)))
            if host == "pypi.org" { endpoints.insert(Endpoint(host: "files.pythonhosted.org", port: 443)) }
        }
        self.indexes = indexes
        self.endpoints = endpoints
    }

    public struct PolicyError: Error {
        public var message: String
    }

    func allows(host: String, port: Int) -> Bool {
        endpoints.contains(Endpoint(host: host.lowercased(), port: port))
    }

    /// pip's settings inside the sandbox: the indexes, and plain-HTTP ones as trusted hosts (pip refuses an
    /// http:// index otherwise).
    var pipEnvironment: [String: String] {
        guard let first = indexes.first else { return [:] }
        var environment = ["PIP_INDEX_URL": first]
        if indexes.count > 1 { environment["PIP_EXTRA_INDEX_URL"] = indexes.dropFirst().joined(separator: " ") }
        let plain = indexes.compactMap { index -> String? in
            guard let url = URLComponents(string: index), url.scheme?.lowercased() == "http", let host = url.host else { return nil }
            return url.port.map { "\(host):\($0)" } ?? host
        }
        if !plain.isEmpty { environment["PIP_TRUSTED_HOST"] = plain.joined(separator: " ") }
        return environment
    }

    /// The index pip on this host is configured with: `PIP_INDEX_URL`, else `index-url` from pip's configuration
    /// files (later files win, as in pip), else PyPI.
    public static func hostDefault(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let url = environment["PIP_INDEX_URL"], !url.isEmpty { return [url] + extra(environment["PIP_EXTRA_INDEX_URL"]) }
        let home = environment["HOME"] ?? "/root"
        var found: String?
        var extras: [String] = []
        for file in ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", home + "/.pip/pip.conf", home + "/.config/pip/pip.conf"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let settings = iniValues(text, sections: ["global", "install"])
            if let url = settings["index-url"] { found = url }
            if let more = settings["extra-index-url"] { extras = extra(more) }
        }
        return [found ?? pypi] + extras
    }

    private static func extra(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
    }

    /// `key = value` pairs of the given INI sections (continuation lines joined with a space).
    private static func iniValues(_ text: String, sections: Set<String>) -> [String: String] {
        var values: [String: String] = [:]
        var inSection = false
        var lastKey: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                inSection = sections.contains(line.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased())
                lastKey = nil
                continue
            }
            guard inSection else { continue }
            if rawLine.first?.isWhitespace == true, let key = lastKey {
                values[key, default: ""] += " " + line
                continue
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
            values[key] = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            lastKey = key
        }
        return values
    }
}
