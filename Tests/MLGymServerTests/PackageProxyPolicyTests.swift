import Foundation
@testable import MLGymServer
import MLGymTestSupport
import Testing

/// What the package proxy reads from a request head and which endpoints its policy lets through.
@Suite struct PackageProxyPolicyTests {
    func head(_ text: String) throws(ProxyRequestHead.Refusal) -> ProxyRequestHead {
        try ProxyRequestHead.parse(Array(text.utf8))
    }

    @Test func connectAndAbsoluteRequestsNameTheirTarget() throws {
        let tunnel = try head("CONNECT PyPI.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n")
        #expect(tunnel == ProxyRequestHead(host: "pypi.org", port: 443, kind: .tunnel))
        let forward = try head("GET http://127.0.0.1:8080/simple/x/?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n")
        #expect(forward.host == "127.0.0.1" && forward.port == 8080)
        guard case .forward(let bytes) = forward.kind else { Issue.record("not forwarded"); return }
        #expect(String(decoding: bytes, as: UTF8.self) == "GET /simple/x/?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n")
        let bare = try head("GET http://example.org HTTP/1.0\r\n\r\n")
        #expect(bare.port == 80)
        guard case .forward(let root) = bare.kind else { return }
        #expect(String(decoding: root, as: UTF8.self).hasPrefix("GET / HTTP/1.1\r\n"))
        #expect(try head("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n").host == "::1")
    }

    @Test(arguments: [
        ("CONNECT pypi.org HTTP/1.1\r\n\r\n", "CONNECT needs host:port"),
        ("CONNECT user@pypi.org:443 HTTP/1.1\r\n\r\n", "user info"),
        ("GET https://pypi.org/simple HTTP/1.1\r\n\r\n", "https:// URL goes through CONNECT"),
        ("GET /simple HTTP/1.1\r\n\r\n", "absolute http:// URL"),
        ("GET http://pypi.org:99999/ HTTP/1.1\r\n\r\n", "bad port"),
        ("GET http://pypi.org/ HTTP/2\r\n\r\n", "not an HTTP/1.x request line"),
        ("GET http://pypi.org/ HTTP/1.1\r\nX: a\u{1b}b\r\n\r\n", "control characters"),
        ("GET http://py_pi.org/ HTTP/1.1\r\n\r\n", "bad host name"),
        ("GET http://pypi.org%2eevil/ HTTP/1.1\r\n\r\n", "bad host name"),
    ])
    func oddHeadsAreRefused(text: String, reason: String) {
        let refusal = #expect(throws: ProxyRequestHead.Refusal.self) { try head(text) }
        #expect(refusal?.reason.contains(reason) == true, "\(refusal?.reason ?? "")")
    }

    @Test func thePolicyAllowsExactlyTheIndexesEndpoints() throws {
        let policy = try PackageIndexPolicy(indexes: ["https://pypi.org/simple", "http://127.0.0.1:8080/simple"])
        #expect(policy.allows(host: "pypi.org", port: 443))
        #expect(policy.allows(host: "files.pythonhosted.org", port: 443), "PyPI's files")
        #expect(policy.allows(host: "127.0.0.1", port: 8080))
        #expect(!policy.allows(host: "pypi.org", port: 80))
        #expect(!policy.allows(host: "127.0.0.1", port: 8081))
        #expect(!policy.allows(host: "evil.pypi.org", port: 443))
        #expect(policy.pipEnvironment == [
            "PIP_INDEX_URL": "https://pypi.org/simple", "PIP_EXTRA_INDEX_URL": "http://127.0.0.1:8080/simple",
            "PIP_TRUSTED_HOST": "127.0.0.1:8080",
        ])
        #expect(throws: PackageIndexPolicy.PolicyError.self) { try PackageIndexPolicy(indexes: ["file:///srv/wheels"]) }
        #expect(throws: PackageIndexPolicy.PolicyError.self) { try PackageIndexPolicy(indexes: ["https://user:pw@host/simple"]) }
    }

    @Test func theDefaultIsTheIndexPipOnThisHostUses() throws {
        #expect(PackageIndexPolicy.hostDefault(environment: ["PIP_INDEX_URL": "https://mirror.lab/simple", "HOME": "/nonexistent"]) == ["https://mirror.lab/simple"])
        let home = try TemporaryTaskRoot()
        defer { home.remove() }
        try home.write(".config/pip/pip.conf", "[global]\nindex-url = https://wheels.lab/simple\nextra-index-url =\n    https://a.lab/simple\n    https://b.lab/simple\n")
        #expect(PackageIndexPolicy.hostDefault(environment: ["HOME": home.path]) == ["https://wheels.lab/simple", "https://a.lab/simple", "https://b.lab/simple"])
    }
}
