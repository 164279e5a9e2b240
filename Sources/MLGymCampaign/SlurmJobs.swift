/// What Slurm says about a campaign's array elements, read from `squeue` and `sacct` (both asked for
/// `|`-separated fields, one element per line).
public struct SlurmJobs: Sendable, Equatable {
    public struct Element: Sendable, Equatable {
        /// "1234_7": the array job and the element.
        public var jobID: String
        /// Slurm's state: PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY…
        public var state: String
        public var nodes: String
        public init(jobID: String, state: String, nodes: String) {
            self.jobID = jobID
            self.state = state
            self.nodes = nodes
        }

        /// Waiting or running: the element may still write its bundle.
        public var isLive: Bool {
            ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "STAGE_OUT"].contains(state)
        }
    }

    /// By array index. squeue's view wins over sacct's for an index both know (it is the newer).
    public var elements: [Int: Element] = [:]

    public init() {}

    /// `squeue -h -r -n NAME -o '%i|%T|%N'`: "1234_7|RUNNING|node12".
    public mutating func addQueue(_ output: String) {
        for (index, element) in Self.parse(output) { elements[index] = element }
    }

    /// `sacct -n -P -X --name NAME -o JobID,State,NodeList`: finished elements too, where accounting is kept.
    /// A later job of the same index (a re-submission) replaces an earlier one.
    public mutating func addAccounting(_ output: String) {
        for (index, element) in Self.parse(output) {
            guard let known = elements[index] else {
                elements[index] = element
                continue
            }
            if !known.isLive, Self.jobNumber(element.jobID) >= Self.jobNumber(known.jobID) { elements[index] = element }
        }
    }

    /// Keeps only the elements of these array jobs (the ones a campaign's results directory submitted).
    public mutating func keep(jobIDs: Set<String>) {
        elements = elements.filter { jobIDs.contains(String($0.value.jobID.prefix { $0 != "_" })) }
    }

    static func parse(_ output: String) -> [(Int, Element)] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, let underscore = fields[0].lastIndex(of: "_"),
                  let index = Int(fields[0][fields[0].index(after: underscore)...]) else { return nil }
            // sacct writes "CANCELLED by 0".
            let state = fields[1].split(separator: " ").first.map(String.init) ?? fields[1]
            return (index, Element(jobID: fields[0], state: state, nodes: fields[2]))
        }
    }

    static func jobNumber(_ jobID: String) -> Int {
        Int(jobID.prefix { $0.isNumber }) ?? 0
    }
}
