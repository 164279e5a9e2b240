import Foundation
import MLGymCore

/// A campaign's shared results directory, as every node and the submitting host see it:
///
///     <results>/<key>/                 one bundle per run (ResultBundle)
///     <results>/.incoming/             bundles being written, renamed into place when whole
///     <results>/.attempts/<key>/<id>   what each attempt at a run has spent so far (AttemptRecord)
///     <results>/.slurm/                the sbatch scripts submitted, the submissions, the jobs' output
public struct ResultsDirectory: Sendable {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public var incoming: String { path + "/.incoming" }
    public var attempts: String { path + "/.attempts" }
    public var slurm: String { path + "/.slurm" }
    public func bundlePath(_ key: String) -> String { path + "/" + key }

    /// What the directory holds: every readable bundle's manifest by run key, and why any other was passed over.
    public struct Scan: Sendable {
        public var manifests: [String: BundleManifest] = [:]
        public var problems: [String] = []
    }

    /// Reads every bundle's manifest. A bundle is known by its directory's name, which its manifest must
    /// repeat (a bundle copied under another run's name does not count for that run), and, when `campaign` is
    /// given, it must be that campaign's. Bundles that fail these checks or cannot be read are skipped and
    /// named in `problems`, so one bad directory does not stop a campaign.
    public func scan(campaign: String? = nil) -> Scan {
        var scan = Scan()
        for name in entries(path) where !name.hasPrefix(".") {
            switch manifest(of: name, campaign: campaign) {
            case .success(let manifest?): scan.manifests[name] = manifest
            case .success(nil): continue
            case .failure(let problem): scan.problems.append(problem.message)
            }
        }
        return scan
    }

    /// One run's bundle manifest, by the checks of `scan`, read alone (an element asks about its own run only,
    /// not every bundle on the shared filesystem); nil when the run has no bundle.
    public func manifest(of key: String, campaign: String? = nil) -> Result<BundleManifest?, MLGymError> {
        let file = bundlePath(key) + "/manifest.json"
        guard FileManager.default.fileExists(atPath: file) else { return .success(nil) }
        let manifest: BundleManifest
        do {
            manifest = try decode(file, what: "bundle manifest")
        } catch {
            return .failure(error)
        }
        if manifest.format > 1 {
            return .failure(MLGymError(.parse, "\(file): bundle format \(manifest.format) is newer than this mlgymctl reads (1); update mlgymctl"))
        }
        if manifest.key != key {
            return .failure(MLGymError(.parse, "\(file): the manifest is of \(manifest.key), not of \(key); skipped"))
        }
        if let campaign, manifest.campaign != campaign {
            return .failure(MLGymError(.parse, "\(file): the bundle is of campaign \(manifest.campaign), not \(campaign); skipped"))
        }
        return .success(manifest)
    }

    /// The run records of the finished bundles, by run key, and the bundles passed over.
    public func finishedRecords(campaign: String? = nil) -> (records: [String: RunRecord], problems: [String]) {
        var scan = scan(campaign: campaign)
        var records: [String: RunRecord] = [:]
        for (key, manifest) in scan.manifests where manifest.isFinished {
            do {
                records[key] = try decode(bundlePath(key) + "/record.json", what: "run record")
            } catch {
                scan.problems.append(error.message)
            }
        }
        return (records, scan.problems)
    }

    // MARK: Attempts

    /// Records what an attempt at a run has spent so far (atomically: a reader never sees half a file).
    public func record(_ attempt: AttemptRecord) throws(MLGymError) {
        let directory = attempts + "/" + attempt.key
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(attempt).write(to: URL(fileURLWithPath: directory + "/" + attempt.attempt + ".json"), options: .atomic)
        } catch {
            throw MLGymError(.system, "cannot record the spending of \(attempt.key) in \(directory): \((error as NSError).localizedDescription)")
        }
    }

    /// Every attempt at every run of the campaign, ever: finished, failed, killed.
    public func attemptRecords() -> [AttemptRecord] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var records: [AttemptRecord] = []
        for key in entries(attempts) {
            for file in entries(attempts + "/" + key) where file.hasSuffix(".json") {
                guard let data = FileManager.default.contents(atPath: attempts + "/" + key + "/" + file),
                      let record = try? decoder.decode(AttemptRecord.self, from: data) else { continue }
                records.append(record)
            }
        }
        return records
    }

    /// Dollars every attempt together has spent (what `CostShare` subtracts from the campaign's budget).
    public func spent() -> Double {
        attemptRecords().reduce(0) { $0 + $1.cost }
    }

    // MARK: Helpers

    private func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    private func decode<T: Decodable>(_ file: String, what: String) throws(MLGymError) -> T {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw MLGymError(.notFound, "cannot read the \(what) \(file)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw MLGymError(.parse, "\(file): not a valid \(what): \(error)")
        }
    }
}

/// One attempt at a run (one Slurm array element, one local run): kept up to date while it runs, so that
/// money spent by an attempt that was killed still counts against the campaign's budget.
public struct AttemptRecord: Codable, Sendable, Equatable {
    public var key: String
    /// The attempt's name: the Slurm job id, else host and pid.
    public var attempt: String
    public var host: String
    public var cost: Double
    /// `running`, or how it ended (`finished`, `failed`, `interrupted`).
    public var state: String
    public var updatedAt: Date

    public init(key: String, attempt: String, host: String, cost: Double, state: String, updatedAt: Date = Date()) {
        self.key = key
        self.attempt = attempt
        self.host = host
        self.cost = cost
        self.state = state
        self.updatedAt = updatedAt
    }
}
