/// The GPUs of one host handed out to a local campaign's runs: each run takes `perRun` of them and gives them
/// back when it ends, so runs at once never share a GPU.
public struct GPUPool: Sendable, Equatable {
    public private(set) var free: [Int]
    public let perRun: Int

    /// - Parameters: total: the host's GPUs (indices 0..<total); perRun: what each run gets.
    public init(total: Int, perRun: Int) {
        free = Array(0..<max(0, total))
        self.perRun = perRun
    }

    /// Whether `parallel` runs at once fit on the host.
    public func fits(parallel: Int) -> Bool {
        perRun == 0 || perRun * parallel <= free.count
    }

    /// The session's `gpus` for the next run ("none" when runs take none), or nil when too few are free.
    public mutating func take() -> String? {
        guard perRun > 0 else { return "none" }
        guard free.count >= perRun else { return nil }
        let taken = free.prefix(perRun)
        free.removeFirst(perRun)
        return taken.map(String.init).joined(separator: ",")
    }

    /// Marks GPUs a run already holds (one started by an earlier invocation) as taken.
    public mutating func reserve(_ gpus: String) {
        let held = Set(gpus.split(separator: ",").compactMap { Int($0) })
        free.removeAll { held.contains($0) }
    }

    /// Gives back what `take` handed out.
    public mutating func give(_ gpus: String) {
        guard gpus != "none" else { return }
        free = (free + gpus.split(separator: ",").compactMap { Int($0) }).sorted()
    }
}
