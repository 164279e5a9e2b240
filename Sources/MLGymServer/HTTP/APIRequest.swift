import Foundation
import MLGymAPI
import MLGymCore
import NIOCore
import NIOHTTP1

/// One HTTP request, read whole (bodies are small and bounded), with who sent it.
public struct APIRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query, percent-decoded per segment by the router.
    public var path: String
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    public var peer: PeerCredentials
    /// Values of the `{name}` segments of the route that matched.
    public var parameters: [String: String] = [:]

    init(head: HTTPRequestHead, body: ByteBuffer, peer: PeerCredentials) {
        method = head.method
        let target = RequestTarget(head.uri)
        path = target.path
        query = target.query
        headers = head.headers
        self.body = body
        self.peer = peer
    }

    /// The body decoded as `T`; a clear 400 when it is not valid JSON of that shape.
    public func decode<T: Decodable>(_ type: T.Type) throws(MLGymError) -> T {
        guard body.readableBytes > 0 else {
            throw MLGymError(.invalidArgument, "the request needs a JSON body")
        }
        do {
            return try WireCoding.decoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let DecodingError.dataCorrupted(context) {
            throw MLGymError(.parse, "the body is not valid JSON: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw MLGymError(.invalidArgument, "the body lacks the field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw MLGymError(.invalidArgument, "the field '\(field)' has the wrong type: \(context.debugDescription)")
        } catch {
            throw MLGymError(.parse, "the body could not be read as JSON: \(error)")
        }
    }

    /// A required path parameter.
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// Whether the client asked for a flag in the query (`?force=true`, `?force=1`, `?force`).
    public func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return ["", "1", "true", "yes"].contains(value.lowercased())
    }
}
