import CSandbox
import Dispatch
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// Watches one memory cgroup for OOM kills on a dedicated thread and reports each one with the counters.
///
/// - v1: an eventfd registered through `cgroup.event_control` against `memory.oom_control`; the kernel signals
///   it whenever the cgroup hits OOM (and once more when the cgroup is removed).
/// - v2: inotify IN_MODIFY on `memory.events`, which the kernel raises on every change of its counters.
///
/// Either wake-up only means "look again": the handler runs when the `oom_kill` counter has grown since the
/// last look, so a limit hit that reclaimed memory without killing reports nothing. v1 notifies as the cgroup
/// enters OOM, before the kill, so after a wake-up the counter is re-read for a short while. Several kills folded into
/// one wake-up give one call whose `oomKills` is the new total. The thread blocks in poll(2), so it never
/// occupies the cooperative pool.
final class OOMWatcher: Sendable {
    enum Source: Sendable {
        case v1(memoryDirectory: String)
        case v2(directory: String)
    }

    private let stopEvent: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let thread = ThreadIdentity()

    /// The watcher thread's pthread id, so `stop()` called from the handler does not wait for itself.
    private final class ThreadIdentity: Sendable {
        let value = Mutex<pthread_t?>(nil)
    }

    /// Registers for notifications and starts the thread. `readStats` is called on that thread.
    init(
        source: Source, files: CgroupFiles, readStats: @escaping @Sendable () -> CgroupStats,
        handler: @escaping @Sendable (CgroupStats) -> Void
    ) throws(MLGymError) {
        let stop = mlg_cg_eventfd()
        if stop < 0 { throw CgroupFiles.error(-stop, "cannot create the OOM watcher's stop eventfd") }
        let wakeFDs: [Int32]
        do throws(MLGymError) {
            wakeFDs = try Self.register(source: source, files: files)
        } catch {
            close(stop)
            throw error
        }
        stopEvent = stop
        let baseline = readStats().oomKills ?? 0
        let wake = wakeFDs[0]
        let finished = self.finished
        let threadSlot = self.thread
        let thread = Thread {
            threadSlot.value.withLock { $0 = pthread_self() }
            Self.run(wake: wake, stop: stop, source: source, baseline: baseline, readStats: readStats, handler: handler)
            for fd in wakeFDs { close(fd) }
            finished.signal()
        }
        thread.name = "mlgym-oom-watch"
        thread.start()
    }

    /// Stops the thread and waits (briefly) for it to exit. Safe to call from the handler itself.
    func stop() {
        _ = mlg_cg_eventfd_write(stopEvent, 1)
        let onWatcherThread = thread.value.withLock { current in current.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        if !onWatcherThread {
            _ = finished.wait(timeout: .now() + 2)
        }
    }

    deinit {
        close(stopEvent)
    }

    /// Opens the notification fds; the first one is polled, all are closed when the thread ends.
    private static func register(source: Source, files: CgroupFiles) throws(MLGymError) -> [Int32] {
        switch source {
        case .v1(let memory):
            let event = mlg_cg_eventfd()
            if event < 0 { throw CgroupFiles.error(-event, "cannot create an eventfd for OOM notification of \(memory)") }
            let control = open("\(memory)/memory.oom_control", O_RDONLY | O_CLOEXEC)
            if control < 0 {
                let code = errno
                close(event)
                throw CgroupFiles.error(code, "cannot open \(memory)/memory.oom_control")
            }
            do throws(MLGymError) {
                // "<eventfd> <fd of memory.oom_control>" registers the eventfd for OOM notifications.
                try files.write("\(event) \(control)", to: "cgroup.event_control", in: memory)
            } catch {
                close(event)
                close(control)
                throw error
            }
            return [event, control]
        case .v2(let directory):
            let inotify = inotify_init1(Int32(IN_CLOEXEC))
            if inotify < 0 { throw CgroupFiles.error(errno, "cannot create an inotify instance to watch \(directory)/memory.events") }
            if inotify_add_watch(inotify, "\(directory)/memory.events", UInt32(IN_MODIFY)) < 0 {
                let code = errno
                close(inotify)
                throw CgroupFiles.error(code, "cannot watch \(directory)/memory.events",
                    hint: "the memory controller must be enabled for this cgroup")
            }
            return [inotify]
        }
    }

    private static func run(
        wake: Int32, stop: Int32, source: Source, baseline: UInt64,
        readStats: @Sendable () -> CgroupStats, handler: @Sendable (CgroupStats) -> Void
    ) {
        var reported = baseline
        // v1 signals when the cgroup *enters* OOM, before the victim is chosen and killed; after a wake-up
        // without a new kill, look again every 20 ms for up to 2 s to see the kill that follows.
        var recheckRounds = 0
        let directory: String
        switch source {
        case .v1(let memory): directory = memory
        case .v2(let dir): directory = dir
        }
        while true {
            var fds = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, recheckRounds > 0 ? 20 : -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            if fds[0].revents & Int16(POLLIN) != 0 {
                drain(wake, source: source)
                recheckRounds = 100
            } else if fds[0].revents != 0 {
                return
            } else {
                recheckRounds -= 1
            }
            let stats = readStats()
            if let kills = stats.oomKills, kills > reported {
                reported = kills
                recheckRounds = 0
                handler(stats)
            }
            // v1 signals the eventfd once more when the cgroup is removed: nothing is left to watch.
            if access(directory, F_OK) != 0 { return }
        }
    }

    private static func drain(_ fd: Int32, source: Source) {
        switch source {
        case .v1:
            var counter: UInt64 = 0
            _ = mlg_cg_eventfd_read(fd, &counter)
        case .v2:
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        }
    }
}
