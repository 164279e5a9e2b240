import Foundation

/// `GET /v1/sessions/{id}/logs`: what happened to a session, from the store.
public struct SessionLogs: Codable, Sendable, Equatable {
    public var stateChanges: [StateChange]
    public var events: [Event]
    public var execs: [Exec]

    public struct StateChange: Codable, Sendable, Equatable {
        public var time: Date
        public var from: String?
        public var to: String
        public var reason: String
        public init(time: Date, from: String?, to: String, reason: String) {
            self.time = time
            self.from = from
            self.to = to
            self.reason = reason
        }
    }

    public struct Event: Codable, Sendable, Equatable {
        public var time: Date
        public var kind: String
        /// Kind-specific facts, as a JSON object in text.
        public var details: String
        public init(time: Date, kind: String, details: String) {
            self.time = time
            self.kind = kind
            self.details = details
        }
    }

    public struct Exec: Codable, Sendable, Equatable {
        public var startedAt: Date
        public var durationMs: Int64
        public var command: String
        public var exitCode: Int32?
        public var timedOut: Bool
        /// Truncated to the daemon's limit, with a marker.
        public var output: String
        public init(startedAt: Date, durationMs: Int64, command: String, exitCode: Int32?, timedOut: Bool, output: String) {
            self.startedAt = startedAt
            self.durationMs = durationMs
            self.command = command
            self.exitCode = exitCode
            self.timedOut = timedOut
            self.output = output
        }
    }

    public init(stateChanges: [StateChange], events: [Event], execs: [Exec]) {
        self.stateChanges = stateChanges
        self.events = events
        self.execs = execs
    }
}
