using Amazon.CDK;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>Composes the environment stacks of the app: dev, staging, prod and, when asked for, one sandbox.</summary>
public static class RdsStackApp
{
    /// <summary>The configuration directory when the <c>configDir</c> context key is not given.</summary>
    public const string DefaultConfigDir = "config";

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

        var configDir = app.Node.TryGetContext(DeploymentContext.ConfigDirKey) as string ?? DefaultConfigDir;
        var controls = ControlsConfiguration.Load(configDir);
        if (controls.EnforcedControls.Count > 0 && app.Node.TryGetContext(ControlTowerAcknowledgement.EnforcedControlsContextKey) is null)
        {
            app.Node.SetContext(ControlTowerAcknowledgement.EnforcedControlsContextKey, controls.EnforcedControls.ToArray());
        }

        return environments.Select(e => Add(app, e.settings, deployment, e.owner)).ToList();
    }

    /// <summary>The stack name of an environment (<c>RdsStack-dev</c>, <c>RdsStack-sandbox-alice</c>).</summary>
    public static string StackName(string environment, string? owner = null) =>
        owner is null ? $"{StackPrefix}-{environment}" : $"{StackPrefix}-{environment}-{owner}";

    private static EnvironmentStack Add(Amazon.CDK.App app, EnvironmentSettings settings, DeploymentContext deployment, string? owner)
    {
        var name = StackName(settings.Name, owner);
        var database = $"PostgreSQL {Library.PostgresDefaults.EngineMajorVersion} on {settings.DatabaseInstanceClass} ({(settings.MultiAz ? "Multi-AZ" : "single-AZ")}, {settings.BackupRetentionDays}-day backups, {(settings.DeletionProtection ? "deletion-protected" : "not deletion-protected")})";
        return new EnvironmentStack(app, name, new EnvironmentStackProps
        {
            Settings = settings,
            Deployment = deployment,
            Owner = owner,
            StackName = name,
            Env = new Amazon.CDK.Environment { Account = deployment.AccountFor(settings.Name), Region = settings.Region },
            TerminationProtection = settings.TerminationProtection,
            Description = $"RdsStack {settings.Name}{(owner is null ? string.Empty : $" of {owner}")}: private, KMS-encrypted, TLS-only {database}; three-tier VPC over {settings.AvailabilityZones.Count} AZs with {settings.NatGateways} NAT gateway(s); {(settings.BastionEnabled ? "SSH bastion" : "no bastion")}.",
        });
    }
}
