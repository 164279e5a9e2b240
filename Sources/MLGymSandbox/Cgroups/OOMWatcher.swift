import CSandbox
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// Watches one memory cgroup for OOM kills and reports each one with the counters.
///
/// - v1: an eventfd registered through `cgroup.event_control` against `memory.oom_control`; the kernel signals
///   it whenever the cgroup hits OOM (and once more when the cgroup is removed).
/// - v2: inotify IN_MODIFY on `memory.events`, which the kernel raises on every change of its counters.
///
/// Either wake-up only means "look again": the handler runs when the `oom_kill` counter has grown since the
/// last look, so a limit hit that reclaimed memory without killing reports nothing. v1 notifies as the cgroup
/// enters OOM, before the kill, so after a wake-up a timerfd re-reads the counter every 20 ms for up to 2 s.
/// Several kills folded into one wake-up give one call whose `oomKills` is the new total. The descriptors are
/// watched by the process's `EventSupervisor`: no thread of its own.
final class OOMWatcher: Sendable {
    enum Source: Sendable {
        case v1(memoryDirectory: String)
        case v2(directory: String)
    }

    private let watches: [Watch]

    /// What the handlers share; touched only on the supervisor thread.
    private final class Progress: Sendable {
        let reported: Mutex<UInt64>
        /// Re-reads left after a v1 wake-up that showed no kill yet.
        let recheckRounds = Mutex(0)
        init(_ baseline: UInt64) { reported = Mutex(baseline) }
    }

    /// Registers for notifications and starts watching. `readStats` and `handler` run on the supervisor thread.
    init(
        source: Source, files: CgroupFiles, readStats: @escaping @Sendable () -> CgroupStats,
        handler: @escaping @Sendable (CgroupStats) -> Void
    ) throws(MLGymError) {
        let fds = try Self.register(source: source, files: files)
        let timer = mlg_timerfd_create()
        if timer < 0 {
            for fd in fds { close(fd) }
            throw CgroupFiles.error(-timer, "cannot create the OOM watcher's timer")
        }
        let progress = Progress(readStats().oomKills ?? 0)
        let directory: String
        switch source {
        case .v1(let memory): directory = memory
        case .v2(let dir): directory = dir
        }
        let supervisor = EventSupervisor.shared
        // Looks at the counter; true when nothing is left to watch (v1 signals once more as the cgroup goes).
        let look: @Sendable () -> Bool = {
            let stats = readStats()
            let reported = progress.reported.withLock { $0 }
            if let kills = stats.oomKills, kills > reported {
                progress.reported.withLock { $0 = kills }
                progress.recheckRounds.withLock { $0 = 0 }
                _ = mlg_timerfd_arm(timer, 0, 0)
                handler(stats)
            }
            return access(directory, F_OK) != 0
        }
        let wake: Watch
        do throws(MLGymError) {
            wake = try supervisor.watch(fds[0]) { watch, readiness in
                guard readiness.readable else {
                    watch.end()
                    return
                }
                Self.drain(fds[0], source: source)
                if case .v1 = source {
                    progress.recheckRounds.withLock { $0 = 100 }
                    _ = mlg_timerfd_arm(timer, 20_000_000, 20_000_000)
                }
                if look() { watch.end() }
            }
        } catch {
            for fd in fds + [timer] { close(fd) }
            throw error
        }
        do throws(MLGymError) {
            let recheck = try supervisor.watch(timer) { _, _ in
                var expirations: UInt64 = 0
                _ = read(timer, &expirations, 8)
                let left = progress.recheckRounds.withLock { rounds in
                    rounds -= 1
                    return rounds
                }
                if left <= 0 { _ = mlg_timerfd_arm(timer, 0, 0) }
                _ = look()
            }
            watches = [wake, recheck]
        } catch {
            wake.end { for fd in fds + [timer] { close(fd) } }
            throw error
        }
        descriptors = fds + [timer]
    }

    private let descriptors: [Int32]

    /// Stops watching and closes the descriptors (on the supervisor thread, once no handler can run). Safe to call
    /// from the handler itself.
    func stop() {
        let descriptors = descriptors
        let closeAll: @Sendable () -> Void = {
            for fd in descriptors { close(fd) }
        }
        for watch in watches.dropLast() { watch.end() }
        watches.last?.end(then: closeAll)
    }

    /// Opens the notification fds; the first one is watched, all are closed by `stop`.
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
