import ArgumentParser
import MLGymClient

/// The flag every verb that talks to mlgymd shares.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("mlgymd's socket (default: $MLGYM_SOCKET, else /run/mlgym/mlgymd.sock).", valueName: "path"))
    var socket: String?

    var client: APIClient { APIClient(socketPath: socketPath) }
    var socketPath: String { socket ?? APIClient.defaultSocketPath }
}
