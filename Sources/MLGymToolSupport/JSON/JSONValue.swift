/// A JSON document as plain values, for the code that must not link Foundation (the static tool binary and
/// mlgymctl's fast path), where `JSONEncoder` and `JSONDecoder` are not available.
///
/// Numbers keep the text they were written with, so a document read and written again keeps its exact digits
/// (an evaluation's score prints as mlgymd sent it).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as written in the document, already checked to be valid JSON.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(_ value: Int) { self = .number(String(value)) }

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    public var boolValue: Bool? {
        guard case .bool(let flag) = self else { return nil }
        return flag
    }

    /// The number as an integer, when it is written as one (no fraction, no exponent) and fits.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text)
    }

    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// Whether this is JSON's `null` (a missing member is nil, not `.null`).
    public var isNull: Bool { self == .null }
}
