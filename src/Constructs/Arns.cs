using System.Text.RegularExpressions;

namespace RdsStack.Library;

/// <summary>Shape checks for the account ids and ARNs that settings carry (no lookup: synthesis stays offline).</summary>
public static partial class Arns
{
    /// <summary>True for a 12-digit AWS account id.</summary>
    public static bool IsAccountId(string? value) => value is not null && AccountPattern().IsMatch(value);

    /// <summary>True for an IAM role ARN (any partition, optional path).</summary>
    public static bool IsRoleArn(string? value) => value is not null && RolePattern().IsMatch(value);

    /// <summary>True for an AWS Backup vault ARN.</summary>
    public static bool IsBackupVaultArn(string? value) => value is not null && VaultPattern().IsMatch(value);

    /// <summary>The account of an ARN (its fifth field).</summary>
    public static string AccountOf(string arn) => arn.Split(':')[4];

    /// <summary>The region of an ARN (its fourth field).</summary>
    public static string RegionOf(string arn) => arn.Split(':')[3];

    [GeneratedRegex("^[0-9]{12}\\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}\\z")]
    private static partial Regex RolePattern();

    [GeneratedRegex("^arn:aws(-cn|-us-gov)?:backup:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:backup-vault:[A-Za-z0-9_.-]{2,50}\\z")]
    private static partial Regex VaultPattern();
}
