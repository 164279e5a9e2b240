import Foundation
import MLGymAPI
import MLGymCore
import NIOCore
import NIOHTTP1

/// What a route answers: a whole body, or a stream of chunks written as they are produced.
public struct APIResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Written with chunked transfer encoding; the closure writes pieces until it returns.
        case stream(@Sendable (ResponseWriter) async throws -> Void)
    }

    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: Body

    public init(status: HTTPResponseStatus = .ok, contentType: String = "application/json", body: Body) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// `value` as JSON, with the API's coder.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> APIResponse {
        do {
            var data = try WireCoding.encoder().encode(value)
            data.append(UInt8(ascii: "\n"))
            return APIResponse(status: status, body: .bytes(Array(data)))
        } catch {
            return .error(MLGymError(.system, "cannot encode the answer: \(error)"))
        }
    }

    /// 204 No Content.
    public static var noContent: APIResponse { APIResponse(status: .noContent, body: .bytes([])) }

    /// The API's error body with the status that fits the error's code.
    public static func error(_ error: MLGymError) -> APIResponse {
        json(APIErrorBody(code: error.code.rawValue, message: error.message), status: error.httpStatus)
    }

    public static func error(_ status: HTTPResponseStatus, code: String, _ message: String) -> APIResponse {
        json(APIErrorBody(code: code, message: message), status: status)
    }
}

/// Writes the pieces of a streamed answer.
public struct ResponseWriter: Sendable {
    let write: @Sendable (ByteBuffer) async throws -> Void

    public func write(_ bytes: [UInt8]) async throws {
        try await write(ByteBuffer(bytes: bytes))
    }

    /// One line of NDJSON.
    public func writeLine<T: Encodable>(_ value: T) async throws {
        var data = try WireCoding.encoder().encode(value)
        data.append(UInt8(ascii: "\n"))
        try await write(ByteBuffer(bytes: data))
    }
}

extension MLGymError {
    /// Whether the request was at fault (a 4xx status), not mlgymd or the host.
    var isCallersFault: Bool { httpStatus.code < 500 }

    /// The HTTP status for this kind of error.
    public var httpStatus: HTTPResponseStatus {
        switch code {
        case .invalidArgument, .parse, .unsupported: .badRequest
        case .notFound: .notFound
        case .permissionDenied: .forbidden
        case .invalidState, .alreadyExists: .conflict
        case .limitExceeded: .tooManyRequests
        case .timeout: .gatewayTimeout
        default: .internalServerError
        }
    }
}
