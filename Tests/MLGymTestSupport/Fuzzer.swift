import Foundation

/// Inputs for the fuzz tests: random and mutated variants of valid examples, from a fixed seed, so a failing
/// input can be made again. `MLGYM_FUZZ_INPUTS` raises the count (bench/fuzz runs the same tests longer).
public struct Fuzzer {
    private var state: UInt64
    private let seeds: [[UInt8]]
    /// Tokens that break parsers more often than random bytes: structure, extremes, odd text.
    private static let tokens: [String] = [
        "{", "}", "[", "]", "\"", ":", ",", "\n", "\r\n", "\t", "- ", ": ", "#", "&a", "*a", "!!binary", "|", ">-", "\\",
        "\u{0}", "\u{1B}[2J", "\u{202E}", "é", "😀", "\u{FFFF}", "null", "true", "-1", "0", "1e309", "-1e309", "NaN",
        "9223372036854775808", "18446744073709551616", "0x7fffffff", "../../etc/passwd", "/proc/self/root",
        String(repeating: "a", count: 4096), String(repeating: "[", count: 600), String(repeating: "{\"a\":", count: 300),
        "\r\n\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "HTTP/1.1", " /v1/sessions ",
    ]

    /// The count a fuzz test runs: `MLGYM_FUZZ_INPUTS` if set, else `defaultCount`.
    public static func inputCount(default defaultCount: Int) -> Int {
        ProcessInfo.processInfo.environment["MLGYM_FUZZ_INPUTS"].flatMap(Int.init) ?? defaultCount
    }

    public init(seed: UInt64, examples: [String]) {
        state = seed
        seeds = examples.map { Array($0.utf8) }
    }

    /// SplitMix64: small, fast, and the same on every machine.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }

    /// The next input: one in eight wholly random, the rest an example with one to eight mutations.
    public mutating func input() -> [UInt8] {
        if below(8) == 0 || seeds.isEmpty {
            return (0..<below(512)).map { _ in UInt8(truncatingIfNeeded: next()) }
        }
        var bytes = seeds[below(seeds.count)]
        for _ in 0...below(8) { mutate(&bytes) }
        return bytes
    }

    /// The next input as text (invalid UTF-8 repaired, as a String would hold it).
    public mutating func text() -> String { String(decoding: input(), as: UTF8.self) }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        let position = below(bytes.count + 1)
        switch below(8) {
        case 0 where !bytes.isEmpty:
            bytes[min(position, bytes.count - 1)] ^= UInt8(1 << below(8))
        case 1:
            bytes.insert(UInt8(truncatingIfNeeded: next()), at: position)
        case 2 where !bytes.isEmpty:
            let end = min(bytes.count, position + 1 + below(16))
            bytes.removeSubrange(min(position, bytes.count)..<end)
        case 3 where !bytes.isEmpty:
            let start = min(position, bytes.count - 1)
            let end = min(bytes.count, start + 1 + below(32))
            bytes.insert(contentsOf: Array(bytes[start..<end]), at: start)
        case 4:
            bytes.insert(contentsOf: Array(Self.tokens[below(Self.tokens.count)].utf8), at: position)
        case 5:
            bytes = Array(bytes.prefix(position))
        case 6 where !seeds.isEmpty:
            let other = seeds[below(seeds.count)]
            bytes = Array(bytes.prefix(position)) + Array(other.suffix(from: min(other.count, below(other.count + 1))))
        default:
            // Replace a number-looking byte with an extreme.
            if let digit = bytes.indices.dropFirst(position).first(where: { (48...57).contains(bytes[$0]) }) {
                bytes.replaceSubrange(digit...digit, with: Array(["-1", "0", "99999999999999999999", "1e309"][below(4)].utf8))
            }
        }
    }
}
