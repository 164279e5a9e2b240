/// Python's `str.format` for the templates of MLGym's agent configs: `{name}` replaced by a value, `{{` and `}}`
/// as literal braces. MLGym renders every prompt this way, so the same template gives the same bytes here.
///
/// Field names are plain identifiers (MLGym's templates use nothing else); a conversion (`!r`) or a format
/// spec (`:>8`) is refused with the field named, rather than rendered differently from Python.
public enum PythonFormat {
    public struct Failure: Error, Equatable {
        public var message: String
    }

    public static func render(_ template: String, _ values: [String: String]) throws(Failure) -> String {
        var out = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            let next = template.index(after: index)
            if character == "{" {
                if next < template.endIndex, template[next] == "{" {
                    out.append("{")
                    index = template.index(after: next)
                    continue
                }
                guard let close = template[next...].firstIndex(of: "}") else {
                    throw Failure(message: "a '{' without its '}' (write '{{' for a literal brace)")
                }
                let field = String(template[next..<close])
                guard !field.isEmpty, field.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw Failure(message: "the field '{\(field)}' is not a plain name (conversions and format specs are not supported)")
                }
                guard let value = values[field] else {
                    throw Failure(message: "the field '{\(field)}' has no value (known: \(values.keys.sorted().joined(separator: ", ")))")
                }
                out += value
                index = template.index(after: close)
            } else if character == "}" {
                guard next < template.endIndex, template[next] == "}" else {
                    throw Failure(message: "a single '}' (write '}}' for a literal brace)")
                }
                out.append("}")
                index = template.index(after: next)
            } else {
                out.append(character)
                index = next
            }
        }
        return out
    }
}
