import CSandbox
import Dispatch

/// The daemon's own malloc heap, kept near what it uses.
///
/// Why: glibc gives each thread that allocates its own arena (up to eight per core), and memory freed in an
/// arena stays mapped for it. mlgymd's threads pass large buffers around (a command's output, evaluation
/// records), so after hours of work each arena holds tens of megabytes it no longer uses, and the daemon's RSS
/// creeps up though nothing leaks (measured by bench/soak). Fewer arenas bound that; a periodic trim gives what
/// is free back to the kernel.
public enum ProcessHeap {
    /// Caps the arenas glibc makes from now on (the corresponding C function is `mallopt(M_ARENA_MAX, n)`).
    public static func limitArenas(to count: Int) {
        _ = mlg_heap_limit_arenas(Int32(count))
    }

    /// Returns free heap memory to the kernel, from every arena (`malloc_trim(0)`).
    public static func trim() {
        _ = mlg_heap_trim()
    }

    /// Trims every `interval` on a dispatch timer until the returned timer is cancelled.
    public static func trimPeriodically(every interval: Duration) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        let milliseconds = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
        timer.schedule(deadline: .now() + .milliseconds(milliseconds), repeating: .milliseconds(milliseconds))
        timer.setEventHandler { trim() }
        timer.resume()
        return timer
    }
}
