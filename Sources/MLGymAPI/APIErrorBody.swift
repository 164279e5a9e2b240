/// Every error the API returns: `{"error": {"code": "not_found", "message": "..."}}`, with the HTTP status
/// that fits the code.
public struct APIErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable machine-readable kind (`MLGymError.Code` values, plus `payload_too_large`,
        /// `method_not_allowed`).
        public var code: String
        /// One line that says what went wrong and what to do.
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}
