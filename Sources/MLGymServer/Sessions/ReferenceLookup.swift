import MLGymCore

/// How a session or a run is found from what a user typed, and who may act on it: one rule for both.
///
/// A full id is looked up first; otherwise a unique id prefix (or, for sessions, a name of the caller's own).
/// Several matches are an error that asks for more of the id, none is `notFound`, and a record of another uid is
/// `permissionDenied` unless the caller is root.
enum ReferenceLookup {
    /// The one candidate `reference` means, or the error that says why there is not exactly one.
    static func single<Record>(
        _ candidates: [Record], reference: String, noun: String, listCommand: String
    ) throws(MLGymError) -> Record {
        guard !reference.isEmpty, candidates.count == 1, let only = candidates.first else {
            if !reference.isEmpty, candidates.count > 1 {
                throw MLGymError(.invalidArgument, "'\(reference)' matches \(candidates.count) \(noun)s; give more of the id")
            }
            throw MLGymError(.notFound, "no \(noun) '\(reference)' (\(listCommand) lists them)")
        }
        return only
    }

    /// Refuses a record of another uid to anyone but root.
    static func authorize(owner: UInt32, id: String, noun: String, for peer: PeerCredentials) throws(MLGymError) {
        guard peer.isAdministrator || owner == peer.uid else {
            throw MLGymError(.permissionDenied, "\(noun) \(id) belongs to uid \(owner)")
        }
    }
}
