using Amazon.CDK;

namespace RdsStack.App;

/// <summary>Composes the environment stacks of the app: dev, staging, prod and, when asked for, one sandbox.</summary>
public static class RdsStackApp
{
    /// <summary>The prefix of every stack name.</summary>
    public const string StackPrefix = "RdsStack";

    /// <summary>
    /// Validates the context and presets, then adds the stacks to <paramref name="app"/>. Nothing is built
    /// when any value is invalid.
    /// </summary>
    public static IReadOnlyList<EnvironmentStack> Build(Amazon.CDK.App app)
    {
        var deployment = DeploymentContext.Read(key => app.Node.TryGetContext(key));
        var environments = EnvironmentPresets.Shared.Select(settings => (settings, owner: (string?)null)).ToList();
        if (deployment.Sandbox is { } sandbox)
        {
            environments.Add((EnvironmentPresets.Sandbox, sandbox));
        }

        foreach (var (settings, _) in environments)
        {
            settings.Validate();
        }

        var operations = OperationsConfig.Load(deployment.ConfigDirectory, EnvironmentNames);
        return environments.Select(e => Add(app, e.settings, deployment, operations, e.owner)).ToList();
    }

    /// <summary>The stack name of an environment (<c>RdsStack-dev</c>, <c>RdsStack-sandbox-alice</c>).</summary>
    public static string StackName(string environment, string? owner = null) =>
        owner is null ? $"{StackPrefix}-{environment}" : $"{StackPrefix}-{environment}-{owner}";

    /// <summary>The names of every environment preset: dev, staging, prod, sandbox.</summary>
    public static IReadOnlyCollection<string> EnvironmentNames =>
        EnvironmentPresets.Shared.Select(e => e.Name).Append(EnvironmentPresets.Sandbox.Name).ToArray();

    private static EnvironmentStack Add(Amazon.CDK.App app, EnvironmentSettings settings, DeploymentContext deployment, OperationsConfig operations, string? owner)
    {
        var name = StackName(settings.Name, owner);
        var database = $"PostgreSQL {Library.PostgresDefaults.EngineMajorVersion} on {settings.DatabaseInstanceClass} ({(settings.MultiAz ? "Multi-AZ" : "single-AZ")}, {settings.BackupRetentionDays}-day backups, {(settings.DeletionProtection ? "deletion-protected" : "not deletion-protected")})";
        return new EnvironmentStack(app, name, new EnvironmentStackProps
        {
            Settings = settings,
            Deployment = deployment,
            Operations = operations,
            Owner = owner,
            StackName = name,
            Env = new Amazon.CDK.Environment { Account = deployment.AccountFor(settings.Name), Region = settings.Region },
            TerminationProtection = settings.TerminationProtection,
            Description = $"RdsStack {settings.Name}{(owner is null ? string.Empty : $" of {owner}")}: private, KMS-encrypted, TLS-only {database}; three-tier VPC over {settings.AvailabilityZones.Count} AZs with {settings.NatGateways} NAT gateway(s); {(settings.BastionEnabled ? "SSH bastion" : "no bastion")}.",
        });
    }
}
