import ArgumentParser

/// `mlgymctl campaign`: a benchmark campaign (tasks × models × seeds) from a YAML file, on this host or on a
/// Slurm cluster.
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign", abstract: "Run a campaign (tasks × models × seeds) here or on a Slurm cluster.",
        discussion: """
            The campaign file names the tasks, models, seeds, limits and resources (docs/campaigns.md). On one host \
            `run` drives the local mlgymd; on a cluster `submit --slurm` hands the runs to Slurm as a job array whose \
            elements leave result bundles in a shared directory, `status` follows them, and `mlgymctl report \
            --bundles DIR` scores them (docs/hpc.md).
            """,
        subcommands: [CampaignRunCommand.self, CampaignSubmitCommand.self, CampaignStatusCommand.self, CampaignElementCommand.self])
}
