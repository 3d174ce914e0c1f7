using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// Puts each preset where it belongs: the committed <c>config/accounts.json</c> first, then the CDK context keys
/// <c>account[.sandbox]</c>, <c>region[.sandbox]</c> and <c>appSecurityGroupId[.sandbox]</c> for the sandbox where the file
/// is silent. Shared environments are placed by the committed file alone (<see cref="DeploymentContext"/> refuses their
/// suffixed keys, and unsuffixed keys are the sandbox's), and a command line never contradicts the file.
/// </summary>
public static class EnvironmentPlacementRules
{
    /// <summary>The preset placed by <paramref name="configuration"/> and <paramref name="context"/>.</summary>
    public static EnvironmentSettings Place(EnvironmentSettings preset, AccountsConfiguration configuration, DeploymentContext context)
    {
        var committed = configuration.For(preset.Name);
        var account = Merge(committed.Account, context.AccountFor(preset.Name), preset.Name, "account");
        var region = Merge(committed.Region, context.RegionFor(preset.Name), preset.Name, "region") ?? preset.Region;
        if (committed.BackupCopyVaultArn is not null && preset.BackupPlan is null)
        {
            throw new InvalidSettingException($"config/{AccountsConfiguration.FileName} $.environments.{preset.Name}.backupCopy", committed.BackupCopyVaultArn, $"a backupCopy only for an environment whose preset has a backup plan (the '{preset.Name}' preset has none: set EnvironmentPresets.{char.ToUpperInvariant(preset.Name[0])}{preset.Name[1..]}.BackupPlan first)");
        }

        var placed = preset with
        {
            Account = account,
            Region = region,
            ZoneNames = committed.AvailabilityZones,
            KeyAdministratorRoleArn = committed.KeyAdminRoleArn,
            ExistingAppSecurityGroupId = Merge(committed.AppSecurityGroupId, context.AppSecurityGroupIdFor(preset.Name), preset.Name, "appSecurityGroupId"),
            BackupPlan = preset.BackupPlan is { } plan && committed.BackupCopyVaultArn is { } vault
                ? plan with { CopyToVaultArn = vault, CopyRetentionDays = committed.BackupCopyRetentionDays }
                : preset.BackupPlan,
        };
        if (placed.KeyAdministratorRoleArn is { } role && account is not null && Arns.AccountOf(role) != account)
        {
            throw new InvalidSettingException($"config/{AccountsConfiguration.FileName} $.environments.{preset.Name}.keyAdminRoleArn", role, $"a role of the environment's own account {account}");
        }

        return placed;
    }

    private static string? Merge(string? committed, string? given, string environment, string key)
    {
        if (committed is not null && given is not null && committed != given)
        {
            throw new InvalidSettingException($"{key}.{environment}", given, $"'{committed}', the value committed in config/{AccountsConfiguration.FileName}: a command line may not move an environment the file places (change the file in a reviewed commit instead)");
        }

        return committed ?? given;
    }
}
