import Glibc

/// Reads one HTTP/1.1 answer from a connection: the head, then the body by `Content-Length`, by chunks, or to
/// the end of the connection, handing body bytes on as they arrive (a streamed exec's output must not wait for
/// the next chunk).
struct HTTPResponseReader {
    /// Bytes read past the answer being parsed (none, with one request at a time, unless the server misbehaves).
    private var buffer: [UInt8] = []
    private var method = "GET"
    private(set) var keepsAlive = true
    /// Whether nothing at all of the current answer has been read (the server closed an idle connection).
    private(set) var answeredNothing = true
    /// Where `recv` reads into: one buffer for every read of the connection instead of a new 64 KiB one per read.
    private var scratch = [UInt8](repeating: 0, count: 65536)

    static let maximumHeadBytes = 64 * 1024

    mutating func begin(method: String) {
        self.method = method
        answeredNothing = true
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads the answer; returns its status once the whole body has been handed to `onBody`.
    mutating func read(
        from descriptor: Int32, onHead: (Int, String?) -> Void = { _, _ in }, onBody: (ArraySlice<UInt8>) -> Void
    ) throws(UnixSocketHTTPClient.Failure) -> Int {
        var head = try readHead(descriptor)
        // 1xx answers (100 Continue) come before the real one.
        while (100..<200).contains(head.status) { head = try readHead(descriptor) }
        onHead(head.status, head.headers["content-type"])
        keepsAlive = head.version != "HTTP/1.0" && head.headers["connection"]?.lowercased() != "close"
        let hasNoBody = method == "HEAD" || head.status == 204 || head.status == 304
        if hasNoBody { return head.status }
        if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            try readChunks(descriptor, onBody: onBody)
        } else if let lengthText = head.headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw .malformed("a Content-Length that is not a number: \(lengthText)") }
            try readExactly(length, descriptor, onBody: onBody)
        } else {
            keepsAlive = false
            try readToEnd(descriptor, onBody: onBody)
        }
        return head.status
    }

    private struct Head {
        var version: String
        var status: Int
        var headers: [String: String]
    }

    /// Reads more of the connection into `buffer`; false at its end.
    private mutating func fill(_ descriptor: Int32) throws(UnixSocketHTTPClient.Failure) -> Bool {
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .transfer(errno: errno)
            }
            if count > 0 { answeredNothing = false }
            buffer.append(contentsOf: scratch[0..<count])
            return count > 0
        }
    }

    private mutating func readHead(_ descriptor: Int32) throws(UnixSocketHTTPClient.Failure) -> Head {
        var searchFrom = 0
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer, from: searchFrom) {
                let text = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeSubrange(0..<(end + 4))
                return try Self.parseHead(text)
            }
            guard buffer.count <= Self.maximumHeadBytes else { throw .malformed("an answer head longer than 64 KiB") }
            searchFrom = max(0, buffer.count - 3)
            guard try fill(descriptor) else {
                throw .malformed(answeredNothing ? "mlgymd closed the connection without answering" : "the answer ended inside its head")
            }
        }
    }

    private static func parseHead(_ text: String) throws(UnixSocketHTTPClient.Failure) -> Head {
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = (lines.first ?? "").split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .malformed("not an HTTP/1.1 status line: \(lines.first.map(String.init) ?? "")")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("a header without ':': \(line)") }
            let name = line[..<colon].lowercased()
            let value = TextFormat.trimmed(line[line.index(after: colon)...])
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return Head(version: String(statusParts[0]), status: status, headers: headers)
    }

    private mutating func readExactly(_ length: Int, _ descriptor: Int32, onBody: (ArraySlice<UInt8>) -> Void) throws(UnixSocketHTTPClient.Failure) {
        var remaining = length
        while remaining > 0 {
            if buffer.isEmpty {
                guard try fill(descriptor) else { throw .malformed("the answer ended \(remaining) bytes before its end") }
            }
            let take = min(remaining, buffer.count)
            onBody(buffer[0..<take])
            buffer.removeSubrange(0..<take)
            remaining -= take
        }
    }

    private mutating func readToEnd(_ descriptor: Int32, onBody: (ArraySlice<UInt8>) -> Void) throws(UnixSocketHTTPClient.Failure) {
        while true {
            if !buffer.isEmpty {
                onBody(buffer[...])
                buffer.removeAll(keepingCapacity: true)
            }
            guard try fill(descriptor) else { return }
        }
    }

    private mutating func readLine(_ descriptor: Int32) throws(UnixSocketHTTPClient.Failure) -> String {
        var searchFrom = 0
        while true {
            if let end = Self.find([13, 10], in: buffer, from: searchFrom) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeSubrange(0..<(end + 2))
                return line
            }
            guard buffer.count <= Self.maximumHeadBytes else { throw .malformed("a chunk line longer than 64 KiB") }
            searchFrom = max(0, buffer.count - 1)
            guard try fill(descriptor) else { throw .malformed("the answer ended inside its chunked body") }
        }
    }

    private mutating func readChunks(_ descriptor: Int32, onBody: (ArraySlice<UInt8>) -> Void) throws(UnixSocketHTTPClient.Failure) {
        while true {
            let sizeLine = try readLine(descriptor)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map { TextFormat.trimmed($0) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("a chunk size that is not hex: \(sizeLine)") }
            if size == 0 {
                // Trailers, then the empty line that ends the answer.
                while try !readLine(descriptor).isEmpty {}
                return
            }
            try readExactly(size, descriptor, onBody: onBody)
            guard try readLine(descriptor).isEmpty else { throw .malformed("a chunk longer than its size") }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
        }
        return nil
    }
}
