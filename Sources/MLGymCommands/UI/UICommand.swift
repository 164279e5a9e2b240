import ArgumentParser
import Foundation
import MLGymClient
import MLGymCore
import MLGymToolSupport
import MLGymWebUI

/// `mlgymctl ui`: mlgymd's sessions and runs in a browser, live.
struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui", abstract: "Serve a live web view of your sessions and runs on 127.0.0.1.",
        discussion: """
            Prints a URL with a one-time token; open it in a browser on this host (from another machine, tunnel \
            the port: ssh -L PORT:127.0.0.1:PORT host). The view shows what mlgymd shows you (root: everything), \
            updates as sessions and runs change, and only reads. It runs until stopped (ctrl-c). See docs/ui.md.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("The port on 127.0.0.1 (default: a free one).", valueName: "port"))
    var port: UInt16 = 0

    func run() throws {
        let server: WebUIServer
        do {
            let pages = UIDerivedPages(socketPath: client.socketPath)
            server = try WebUIServer(daemonSocket: client.socketPath, port: port, derived: pages.answer)
        } catch {
            throw MLGymError(.system, "\(error.description) (is the port in use? choose another with --port)")
        }
        // Checked now, so a wrong socket is said at once rather than in the browser.
        _ = try client.client.info()
        // Written at once (not through stdout's buffer): a script or a test reads the URL while this runs.
        FileIO.print("mlgym's web view: \(server.url)\n(for this user only; ctrl-c stops it)\n")
        server.serve()
    }
}
