internal import GRDB
import MLGymCore

/// Turns what SQLite and GRDB throw into `MLGymError`s that say what the store was doing and what to do.
enum StoreError {
    static func map(_ error: any Error, doing action: String, hint: String? = nil) -> MLGymError {
        if let error = error as? MLGymError { return error }
        if error is CancellationError { return MLGymError(.timeout, "cannot \(action): the request was cancelled") }
        guard let error = error as? DatabaseError else {
            return MLGymError(.system, "cannot \(action): \(error)")
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return MLGymError(
                .timeout, "cannot \(action): the database stayed locked by another process (\(detail)); retry, or stop the other writer"
            )
        case .SQLITE_CONSTRAINT:
            return MLGymError(.invalidArgument, "cannot \(action): a database constraint refused it (\(detail))")
        case .SQLITE_FULL:
            return MLGymError(.system, "cannot \(action): the disk is full (\(detail)); free space in the state directory")
        case .SQLITE_READONLY, .SQLITE_PERM:
            return MLGymError(.permissionDenied, "cannot \(action): \(detail); \(hint ?? "check the state directory's owner and mode")")
        case .SQLITE_CANTOPEN:
            return MLGymError(.system, "cannot \(action): \(detail); \(hint ?? "does the state directory exist and is it writable?")")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return MLGymError(
                .system, "cannot \(action): the file is not an mlgym database or is corrupt (\(detail)); restore a backup or move it aside"
            )
        default:
            return MLGymError(.system, "cannot \(action): \(detail)\(hint.map { "; \($0)" } ?? "")")
        }
    }
}
