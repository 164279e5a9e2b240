/// Writes a ``JSONValue`` as text, byte for byte as the project's `JSONEncoder` configuration does (sorted keys,
/// slashes not escaped), so a tool without Foundation prints what mlgymctl with Foundation prints.
///
/// `pretty` matches `JSONEncoder`'s `.prettyPrinted` on Linux: two-space indent, `"key" : value`, and an empty
/// object or array as an open bracket, an empty line and the indented close.
public enum JSONWriter {
    public static func text(_ value: JSONValue, pretty: Bool = false) -> String {
        var out = ""
        write(value, into: &out, pretty: pretty, indent: 0)
        return out
    }

    /// An object of string members (what most requests are), compact.
    public static func text(_ members: [String: JSONValue]) -> String {
        text(.object(members))
    }

    private static func write(_ value: JSONValue, into out: inout String, pretty: Bool, indent: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            writeContainer(open: "[", close: "]", count: elements.count, into: &out, pretty: pretty, indent: indent) { index, out in
                write(elements[index], into: &out, pretty: pretty, indent: indent + 1)
            }
        case .object(let members):
            let keys = members.keys.sorted()
            writeContainer(open: "{", close: "}", count: keys.count, into: &out, pretty: pretty, indent: indent) { index, out in
                writeString(keys[index], into: &out)
                out += pretty ? " : " : ":"
                write(members[keys[index]] ?? .null, into: &out, pretty: pretty, indent: indent + 1)
            }
        }
    }

    private static func writeContainer(
        open: String, close: String, count: Int, into out: inout String, pretty: Bool, indent: Int,
        element: (Int, inout String) -> Void
    ) {
        out += open
        guard pretty else {
            for index in 0..<count {
                if index > 0 { out += "," }
                element(index, &out)
            }
            out += close
            return
        }
        let inner = String(repeating: "  ", count: indent + 1)
        let outer = String(repeating: "  ", count: indent)
        if count == 0 {
            out += "\n\n" + outer + close
            return
        }
        for index in 0..<count {
            out += index == 0 ? "\n" : ",\n"
            out += inner
            element(index, &out)
        }
        out += "\n" + outer + close
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (short forms where JSON has
    /// them, else `\u00xx`); everything else, `/` and non-ASCII included, as is.
    public static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case "\u{0}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
