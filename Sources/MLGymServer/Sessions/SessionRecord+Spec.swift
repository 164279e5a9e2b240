import Foundation
import MLGymAPI
import MLGymStore

extension SessionRecord {
    /// The spec the session was started with, as the store keeps it; nil when it cannot be read.
    var startSpec: SessionSpec? {
        try? WireCoding.decoder().decode(SessionSpec.self, from: spec)
    }
}
