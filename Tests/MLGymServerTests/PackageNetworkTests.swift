import Foundation
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// Network mode `packages`: the sandbox keeps only loopback, and mlgymd's proxy inside it reaches the allowed
/// package index and nothing else. Real pip, a real wheel, a real index server on loopback, and a second server
/// beside it that must stay out of reach.
@Suite struct PackageNetworkTests {
    func exec(_ daemon: DaemonProcess, _ session: String, _ command: String) throws -> (status: Int32, output: String) {
        let result = try daemon.ctl(["exec", session, "--", command])
        return (result.status, result.output + result.errorOutput)
    }

    @Test func pipInstallsFromTheAllowedIndexAndNothingElseIsReachable() throws {
        let index = try LocalPackageIndex()
        let forbidden = try LocalPackageIndex.files(["secret.txt": "not for the agent\n"])
        let daemon = try DaemonProcess(extraArguments: ["--package-index", index.url])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(network: "packages")).id

        let install = try exec(daemon, id, "python3 -m pip install --no-cache-dir --no-deps --target /tmp/site \(LocalPackageIndex.project) 2>&1; PYTHONPATH=/tmp/site python3 -c 'import tinypkg; print(\"value\", tinypkg.VALUE)'")
        #expect(install.output.contains("Successfully installed \(LocalPackageIndex.project)-1.0"), "\(install.output)")
        #expect(install.output.contains("value \(LocalPackageIndex.value)"), "\(install.output)")

        // Through the proxy, another server on the same host is refused, by plain HTTP and by CONNECT.
        let viaProxy = try exec(daemon, id, """
            python3 - <<'EOF'
            import socket, urllib.error, urllib.request
            try:
                urllib.request.urlopen("http://127.0.0.1:\(forbidden.port)/secret.txt", timeout=10)
                print("reached")
            except urllib.error.HTTPError as error:
                print("http", error.code, error.read().decode().strip())
            connection = socket.create_connection(("127.0.0.1", 3128), timeout=10)
            connection.sendall(b"CONNECT 127.0.0.1:\(forbidden.port) HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            print("connect", connection.recv(200).split(b"\\r\\n")[0].decode())
            EOF
            """)
        #expect(viaProxy.output.contains("http 403 mlgym package proxy: 127.0.0.1:\(forbidden.port) is not an allowed package index"), "\(viaProxy.output)")
        #expect(viaProxy.output.contains("connect HTTP/1.1 403 Forbidden"), "\(viaProxy.output)")
        #expect(!viaProxy.output.contains("reached"))
        // Around the proxy there is no route at all: the sandbox has only its own loopback.
        let direct = try exec(daemon, id, "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", \(forbidden.port)), timeout=5)' 2>&1 | tail -1")
        #expect(direct.output.contains("Connection refused"), "\(direct.output)")
        let outside = try exec(daemon, id, "python3 -c 'import socket; socket.create_connection((\"192.0.2.1\", 80), timeout=5)' 2>&1 | tail -1")
        #expect(outside.output.contains("unreachable") || outside.output.contains("Network is unreachable"), "\(outside.output)")

        let events = try daemon.client.logs(id).events.filter { $0.kind == "network_refused" }
        #expect(events.count == 2, "\(events)")
        #expect(events.allSatisfy { $0.details.contains("127.0.0.1:\(forbidden.port)") })

        // A session without the mode has no proxy.
        let bare = try daemon.client.createSession(SessionSpec()).id
        let none = try exec(daemon, bare, "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 3128), timeout=5)' 2>&1 | tail -1; echo \"proxy=${HTTPS_PROXY:-unset}\"")
        #expect(none.output.contains("Connection refused") && none.output.contains("proxy=unset"), "\(none.output)")

        // The proxy goes with its session.
        _ = try daemon.ctl(["rm", "--force", id])
        _ = try daemon.ctl(["rm", "--force", bare])
        forbidden.stop()
        index.server.stop()
    }

    @Test func aBadIndexIsRefusedWhenTheDaemonStarts() throws {
        do {
            let daemon = try DaemonProcess(extraArguments: ["--package-index", "ftp://example.invalid/simple"])
            daemon.finish()
            Issue.record("mlgymd started with an ftp:// package index")
        } catch {
            #expect("\(error)".contains("--package-index: package index 'ftp://example.invalid/simple' must be an http:// or https:// URL"), "\(error)")
        }
    }
}
