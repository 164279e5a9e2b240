import CSandbox
import Glibc
import MLGymCore
import Synchronization

/// One thread that waits, in a single epoll(7) set, on every descriptor the sandboxes of this process have:
/// init control sockets, shell terminals, OOM notifications, pidfds, pipes of commands run to completion.
///
/// Each watched descriptor has a handler that the supervisor thread calls when it is ready. Handlers must not
/// block: they read what is there (the descriptors are non-blocking or read with MSG_DONTWAIT), hand it on
/// (resuming a continuation, appending to a buffer) and return. So the process's thread count does not grow
/// with its sandboxes: 50 sessions cost no more threads than one.
///
/// A descriptor is removed from the set before it is closed, always on the supervisor thread (`Watch.end`), so a
/// number the kernel reuses for a new descriptor is never mistaken for the old one.
public final class EventSupervisor: Sendable {
    /// The process's supervisor, started on first use.
    public static let shared = EventSupervisor()

    /// What a handler is told: which readiness bits the kernel reported.
    public struct Readiness: Sendable {
        public let bits: UInt32
        public var readable: Bool { bits & MLG_EV_READABLE != 0 }
        public var writable: Bool { bits & MLG_EV_WRITABLE != 0 }
        /// The other end hung up or the descriptor is in error: a read returns what is left, then 0 or an error.
        public var hungUp: Bool { bits & (MLG_EV_HANGUP | MLG_EV_ERROR) != 0 }
    }

    private struct Registration {
        let fd: Int32
        let events: UInt32
        let watch: Watch
        let handler: @Sendable (Watch, Readiness) -> Void
    }

    private struct State {
        var registrations: [UInt64: Registration] = [:]
        var nextToken: UInt64 = 1
        /// Work for the supervisor thread from other threads (ending a watch), run at its next wake-up.
        var queued: [@Sendable () -> Void] = []
    }

    private let epoll: Int32
    /// An eventfd in the set that other threads write to wake the supervisor for `queued` work.
    private let wakeup: Int32
    private let state = Mutex(State())
    private let thread = Mutex<pthread_t?>(nil)

    private init() {
        epoll = mlg_epoll_create()
        wakeup = mlg_cg_eventfd()
        precondition(epoll >= 0 && wakeup >= 0, "cannot create the event supervisor's epoll set: \(-min(epoll, wakeup))")
        _ = fcntl(wakeup, F_SETFL, fcntl(wakeup, F_GETFL) | O_NONBLOCK)
        precondition(mlg_epoll_add(epoll, wakeup, MLG_EV_READABLE, 0) == 0, "cannot watch the supervisor's eventfd")
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, &attributes, { context in
            Unmanaged<EventSupervisor>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        pthread_attr_destroy(&attributes)
        precondition(result == 0, "cannot start the event supervisor's thread: \(result)")
        pthread_detach(handle)
        // No handler can run before this is set: nothing is watched until `shared` has been returned.
        thread.withLock { $0 = handle }
    }

    /// Watches `fd` for readiness (`events`: MLG_EV_READABLE and/or MLG_EV_WRITABLE; hang-ups are always
    /// reported) and calls `handler` on the supervisor thread each time it is ready, until the watch is ended.
    /// The descriptor stays the caller's: end the watch before closing it (the handler may do both).
    public func watch(
        _ fd: Int32, for events: UInt32 = MLG_EV_READABLE, handler: @escaping @Sendable (Watch, Readiness) -> Void
    ) throws(MLGymError) -> Watch {
        let (token, watch) = state.withLock { state in
            defer { state.nextToken += 1 }
            let watch = Watch(token: state.nextToken, supervisor: self)
            state.registrations[state.nextToken] = Registration(fd: fd, events: events, watch: watch, handler: handler)
            return (state.nextToken, watch)
        }
        let added = mlg_epoll_add(epoll, fd, events, token)
        if added < 0 {
            _ = state.withLock { $0.registrations.removeValue(forKey: token) }
            throw SystemCall.error("cannot watch descriptor \(fd) for events", errno: -added)
        }
        return watch
    }

    /// True on the supervisor thread (inside a handler).
    var isCurrentThread: Bool {
        thread.withLock { current in current.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Runs `work` on the supervisor thread: now when called there, else at its next wake-up.
    func perform(_ work: @escaping @Sendable () -> Void) {
        if isCurrentThread {
            work()
            return
        }
        state.withLock { $0.queued.append(work) }
        _ = mlg_cg_eventfd_write(wakeup, 1)
    }

    /// Stops or restarts reporting readiness of the token's descriptor (hang-ups are still reported); on the
    /// supervisor thread only.
    fileprivate func pause(_ token: UInt64, _ paused: Bool) {
        guard let registration = state.withLock({ $0.registrations[token] }) else { return }
        _ = mlg_epoll_modify(epoll, registration.fd, paused ? 0 : registration.events, token)
    }

    /// Removes the token's descriptor from the set; on the supervisor thread only.
    fileprivate func remove(_ token: UInt64) {
        guard let registration = state.withLock({ $0.registrations.removeValue(forKey: token) }) else { return }
        _ = mlg_epoll_remove(epoll, registration.fd)
    }

    private func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        while true {
            let count = mlg_epoll_wait(epoll, &tokens, &events, 64, -1)
            if count < 0 { continue }  // EINTR; nothing else can fail on a valid set
            for index in 0..<Int(count) {
                if tokens[index] == 0 {
                    var drained: UInt64 = 0
                    _ = mlg_cg_eventfd_read(wakeup, &drained)
                    for work in state.withLock({ state in
                        defer { state.queued = [] }
                        return state.queued
                    }) { work() }
                    continue
                }
                // An earlier handler of this batch may have ended this watch: its token is then unknown.
                guard let registration = state.withLock({ $0.registrations[tokens[index]] }) else { continue }
                registration.handler(registration.watch, Readiness(bits: events[index]))
            }
        }
    }
}

/// One watched descriptor. `end` removes it from the supervisor's set, then runs `cleanup` (closing it, for one),
/// both on the supervisor thread, so no handler runs after the cleanup and no reused number is confused with it.
public final class Watch: Sendable {
    private let token: UInt64
    private let supervisor: EventSupervisor
    private let ended = Mutex(false)

    fileprivate init(token: UInt64, supervisor: EventSupervisor) {
        self.token = token
        self.supervisor = supervisor
    }

    /// Holds the descriptor unread (`paused`), or watches it again: a consumer that cannot keep up leaves the
    /// data in the kernel, where it holds up its writer. Done when it returns on the supervisor thread, queued
    /// from others; a watch that has ended is left alone.
    public func setPaused(_ paused: Bool) {
        let token = token
        supervisor.perform { [supervisor] in supervisor.pause(token, paused) }
    }

    /// Ends the watch. Called in a handler, it is done when `end` returns; from another thread, it is queued.
    public func end(then cleanup: (@Sendable () -> Void)? = nil) {
        let first = ended.withLock { ended in
            defer { ended = true }
            return !ended
        }
        guard first else { return }
        let token = token
        supervisor.perform { [supervisor] in
            supervisor.remove(token)
            cleanup?()
        }
    }
}

