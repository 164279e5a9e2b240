import Foundation
import Glibc
import MLGymCampaign
import MLGymCore

/// Slurm's commands as a campaign uses them: sbatch to submit, squeue and sacct to follow.
enum CampaignSlurm {
    struct Submission: Codable {
        var jobID: String
        var indices: String
        var costShare: Double
        var specDigest: String
        var script: String
        var submittedAt: Date
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
            jobID: jobID, indices: SlurmScript.arrayList(script.runs.map(\.index)), costShare: script.costShare,
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

    /// The campaign's array elements Slurm knows: queued and running ones from squeue, and, with
    /// `accounting`, ended ones from sacct where the cluster keeps accounting (silently none where it does not).
    static func jobs(name: String, accounting: Bool) throws(MLGymError) -> SlurmJobs {
        var jobs = SlurmJobs()
        let queue = try HostTool.run("squeue", ["--noheader", "--array", "--name", name, "--format", "%i|%T|%N"])
        guard queue.status == 0 else {
            // Slurm's last line says why ("fatal: Could not establish a configuration source").
            let reason = queue.errors.split(separator: "\n").last.map(String.init) ?? "status \(queue.status)"
            throw MLGymError(.system, "squeue failed: \(reason)")
        }
        jobs.addQueue(queue.output)
        if accounting, HostTool.find("sacct") != nil,
           let history = try? HostTool.run("sacct", ["--noheader", "--parsable2", "--allocations", "--name", name, "--format", "JobID,State,NodeList"]),
           history.status == 0 {
            jobs.addAccounting(history.output)
        }
        return jobs
    }
}
