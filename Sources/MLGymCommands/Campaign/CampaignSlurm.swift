import Foundation
import Glibc
import MLGymCampaign
import MLGymCore

/// Slurm's commands as a campaign uses them: sbatch to submit, squeue and sacct to follow.
enum CampaignSlurm {
    struct Submission: Codable {
        var jobID: String
        var indices: String
        /// The runs' indices, as `indices` lists them folded.
        var runIndices: [Int]?
        var costShare: Double
        var specDigest: String
        var script: String
        var submittedAt: Date
    }

    /// Every submission of the campaign so far, oldest first (`<results>/.slurm/submissions.jsonl`).
    static func submissions(_ results: ResultsDirectory) -> [Submission] {
        guard let text = try? String(contentsOfFile: results.slurm + "/submissions.jsonl", encoding: .utf8) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return text.split(separator: "\n").compactMap { try? decoder.decode(Submission.self, from: Data($0.utf8)) }
    }

    /// Writes the script into `<results>/.slurm/`, submits it, and appends the submission to
    /// `<results>/.slurm/submissions.jsonl`.
    static func submit(_ script: SlurmScript, results: ResultsDirectory) throws(MLGymError) -> Submission {
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay, .withTime])
        let path = results.slurm + "/submit-\(stamp)-\(getpid()).sbatch"
        do {
            try FileManager.default.createDirectory(atPath: results.slurm, withIntermediateDirectories: true)
            try Data(script.render().utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw MLGymError(.system, "cannot write the sbatch script in \(results.slurm): \((error as NSError).localizedDescription)")
        }
        let result = try HostTool.run("sbatch", ["--parsable", path])
        guard result.status == 0 else {
            throw MLGymError(.system, "sbatch refused the job: \(result.errors.isEmpty ? "status \(result.status)" : result.errors) (script in \(path))")
        }
        // --parsable prints "JOBID" or "JOBID;CLUSTER".
        let jobID = result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        let submission = Submission(
            jobID: jobID, indices: SlurmScript.arrayList(script.runs.map(\.index)), runIndices: script.runs.map(\.index), costShare: script.costShare,
            specDigest: script.specDigest, script: path, submittedAt: Date())
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // One line per submission, appended whole (O_APPEND), so two people submitting at once both land.
        if let line = try? encoder.encode(submission) {
            let fd = open(results.slurm + "/submissions.jsonl", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 {
                (line + Data("\n".utf8)).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
        }
        return submission
    }

    /// The campaign's array elements Slurm knows: this user's queued and running ones from squeue and, with
    /// `accounting`, ended ones from sacct since the first submission, where the cluster keeps accounting
    /// (silently none where it does not). Only jobs this results directory submitted count, so another
    /// campaign of the same name (another directory, another user) is not taken for this one.
    static func jobs(name: String, results: ResultsDirectory, accounting: Bool) throws(MLGymError) -> SlurmJobs {
        let submissions = submissions(results)
        var jobs = SlurmJobs()
        let queue = try HostTool.run("squeue", ["--noheader", "--array", "--me", "--name", name, "--format", "%i|%T|%N"])
        guard queue.status == 0 else {
            // Slurm's last line says why ("fatal: Could not establish a configuration source").
            let reason = queue.errors.split(separator: "\n").last.map(String.init) ?? "status \(queue.status)"
            throw MLGymError(.system, "squeue failed: \(reason)")
        }
        jobs.addQueue(queue.output)
        if accounting, let first = submissions.first, HostTool.find("sacct") != nil {
            let since = ISO8601DateFormatter.string(from: first.submittedAt.addingTimeInterval(-60), timeZone: .current, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate])
            let arguments = ["--noheader", "--parsable2", "--allocations", "--uid", "\(getuid())", "--starttime", since, "--name", name, "--format", "JobID,State,NodeList"]
            if let history = try? HostTool.run("sacct", arguments), history.status == 0 {
                jobs.addAccounting(history.output)
            }
        }
        jobs.keep(jobIDs: Set(submissions.map(\.jobID)))
        return jobs
    }
}
