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
    /// CDK context key (reserved by CDK, so set by the app rather than in <c>cdk.json</c>): when true, a synth
    /// warning is printed with its construct path only, without the jsii stack frame CDK records by default
    /// (<c>Annotations</c> reads it in CDK 2.160).
    /// </summary>
    public const string DisableStackTraceKey = "aws:cdk:disable-stack-trace";

    /// <summary>
    /// The context the app starts with, under whatever the CLI passes: warnings without stack frames, so each
    /// reads as the construct path, the message with its one-line fix, and the warning's id.
    /// </summary>
    public static Dictionary<string, object> OutputContext() => new() { [DisableStackTraceKey] = true };

    /// <summary>
    /// Validates the context and presets, then adds the stacks to <paramref name="app"/>. Nothing is built
    /// when any value is invalid or any context key unknown. <paramref name="contextKeys"/> are the keys given to the
    /// app; default: the ones the CDK CLI passed (<see cref="DeploymentContext.KeysFromEnvironment"/>).
    /// </summary>
    public static IReadOnlyList<EnvironmentStack> Build(Amazon.CDK.App app, IEnumerable<string>? contextKeys = null)
    {
        DeploymentContext.RequireKnownKeys(contextKeys ?? DeploymentContext.KeysFromEnvironment());
        var deployment = DeploymentContext.Read(key => app.Node.TryGetContext(key));
        var accounts = AccountsConfiguration.Load(deployment.ConfigDirectory);
        var placed = EnvironmentPresets.Shared.Append(EnvironmentPresets.Sandbox)
            .Select(preset => EnvironmentPlacementRules.Place(preset, accounts, deployment))
            .ToDictionary(settings => settings.Name);
        foreach (var settings in placed.Values)
        {
            settings.Validate();
        }

        var isolation = AccountIsolation.Assess(placed.Values.ToList());
        var environments = EnvironmentPresets.Shared.Select(preset => (settings: placed[preset.Name], owner: (string?)null)).ToList();
        if (deployment.Sandbox is { } sandbox)
        {
            environments.Add((placed[EnvironmentPresets.Sandbox.Name], sandbox));
        }

        var controls = ControlsConfiguration.Load(deployment.ConfigDirectory);
        if (controls.EnforcedControls.Count > 0 && app.Node.TryGetContext(ControlTowerAcknowledgement.EnforcedControlsContextKey) is null)
        {
            app.Node.SetContext(ControlTowerAcknowledgement.EnforcedControlsContextKey, controls.EnforcedControls.ToArray());
        }

        var operations = OperationsConfig.Load(deployment.ConfigDirectory, EnvironmentNames);
        var databaseUsers = DatabaseUsersConfiguration.Load(deployment.ConfigDirectory, placed.Values.ToList());
        return environments.Select(e => Add(app, e.settings, deployment, isolation, operations, databaseUsers, e.owner)).ToList();
    }

    /// <summary>The stack name of an environment (<c>RdsStack-dev</c>, <c>RdsStack-sandbox-alice</c>).</summary>
    public static string StackName(string environment, string? owner = null) =>
        owner is null ? $"{StackPrefix}-{environment}" : $"{StackPrefix}-{environment}-{owner}";

    /// <summary>The names of every environment preset: dev, staging, prod, sandbox.</summary>
    public static IReadOnlyCollection<string> EnvironmentNames =>
        EnvironmentPresets.All.Select(e => e.Name).ToArray();

    private static EnvironmentStack Add(Amazon.CDK.App app, EnvironmentSettings settings, DeploymentContext deployment, AccountIsolation isolation, OperationsConfig operations, DatabaseUsersConfiguration databaseUsers, string? owner)
    {
        var name = StackName(settings.Name, owner);
        var database = $"PostgreSQL {Library.PostgresDefaults.EngineMajorVersion} on {settings.DatabaseInstanceClass} ({(settings.MultiAz ? "Multi-AZ" : "single-AZ")}, {settings.BackupRetentionDays}-day backups, {(settings.DeletionProtection ? "deletion-protected" : "not deletion-protected")})";
        return new EnvironmentStack(app, name, new EnvironmentStackProps
        {
            Settings = settings,
            Deployment = deployment,
            Isolation = isolation,
            Operations = operations,
            DatabaseUsers = databaseUsers,
            Owner = owner,
            StackName = name,
            Env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region },
            TerminationProtection = settings.TerminationProtection,
            Description = $"RdsStack {settings.Name}{(owner is null ? string.Empty : $" of {owner}")}: private, KMS-encrypted, TLS-only {database}; three-tier VPC over {settings.AvailabilityZones.Count} AZs with {settings.NatGateways} NAT gateway(s); {(settings.BastionEnabled ? "SSH bastion" : "no bastion")}.",
        });
    }
}
