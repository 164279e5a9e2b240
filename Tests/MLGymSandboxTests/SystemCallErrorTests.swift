import Glibc
import MLGymCore
import Testing

@testable import MLGymSandbox

/// A failed system call becomes one error that names the errno the way people search for it and carries it.
struct SystemCallErrorTests {
    @Test func theErrnoIsNamedAndKept() {
        let busy = SystemCall.error("cannot write memory.max", errno: EBUSY, hint: "the cgroup uses more")
        #expect(busy.message == "cannot write memory.max: EBUSY (Device or resource busy; the cgroup uses more)")
        #expect(busy.errno == EBUSY && busy.code == .system)
        // Names come from the C library, so errnos no hand-written table listed are named too.
        #expect(SystemCall.error("cannot connect", errno: ENOTCONN).message.hasPrefix("cannot connect: ENOTCONN ("))
        #expect(SystemCall.errnoName(9999) == "errno 9999")
        #expect(SystemCall.error("cannot open", errno: EACCES).code == .permissionDenied)
    }

    @Test func equalityIgnoresTheCause() {
        struct Underlying: Error {}
        let plain = MLGymError(.system, "x", errno: EIO)
        #expect(plain == MLGymError(.system, "x", errno: EIO, cause: Underlying()))
        #expect(plain != MLGymError(.system, "x", errno: EINVAL))
    }
}
