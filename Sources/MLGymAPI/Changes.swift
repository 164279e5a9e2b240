/// `GET /v1/events`: a server-sent-events stream of what changes in mlgymd, so clients follow sessions and runs
/// without polling. Each event is `event: session` or `event: run` with this as its JSON `data`; `event: resync`
/// (empty object) means this client fell behind and events were dropped, so it should read again what it shows.
public struct ChangeNotice: Codable, Sendable, Equatable {
    /// The session or run id.
    public var id: String
    /// Its state after the change (`running`, `finished`…); absent when the change was not to the state (a
    /// committed step, more tokens spent, a run waiting for a person's input).
    public var state: String?

    public init(id: String, state: String? = nil) {
        self.id = id
        self.state = state
    }
}
