using System.Text.RegularExpressions;

namespace RdsStack.Library;

/// <summary>
/// What RDS for PostgreSQL runs on which DB instance class, for the checks the construct makes at
/// synth time (an unsupported class otherwise fails twenty minutes into a deploy). Source: the RDS
/// user guide, "Supported DB engines for DB instance classes", and orderability reported for PostgreSQL 18.
/// (Performance Insights has no instance-class restriction for RDS for PostgreSQL, so it is not modelled here.)
/// </summary>
public static partial class InstanceClassSupport
{
    /// <summary>Current-generation instance families that run every PostgreSQL major from 13 on.</summary>
    public static readonly IReadOnlySet<string> PostgresFamilies = new HashSet<string>(StringComparer.Ordinal)
    {
        "t3", "t4g",
        "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m6idn", "m6in", "m7g", "m7i", "m8g",
        "r5", "r5b", "r5d", "r6g", "r6gd", "r6i", "r6id", "r6idn", "r6in", "r7g", "r7i", "r8g",
        "x2g", "x2idn", "x2iedn",
    };

    /// <summary>
    /// Classes RDS does not offer for a given major although their family runs PostgreSQL: db.t4g.micro is not
    /// orderable with PostgreSQL 18 (seen in us-east-1 and ap-south-1 in October 2026; db.t4g.small and up are).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> NotOffered = new Dictionary<string, IReadOnlySet<string>>
    {
        ["18"] = new HashSet<string>(StringComparer.Ordinal) { "db.t4g.micro" },
    };

    /// <summary>Sizes that exist for the burstable families.</summary>
    private static readonly IReadOnlySet<string> Sizes = new HashSet<string>(StringComparer.Ordinal)
    {
        "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge", "metal",
    };

    /// <summary>
    /// Throws <see cref="InvalidSettingException"/> unless <paramref name="instanceClass"/> (e.g.
    /// <c>db.t4g.small</c>) can run PostgreSQL <paramref name="engineMajorVersion"/>.
    /// </summary>
    public static void RequirePostgres(string setting, string? instanceClass, string engineMajorVersion)
    {
        var allowed = $"a DB instance class that runs PostgreSQL {engineMajorVersion}: db.<family>.<size> with family one of {string.Join(", ", PostgresFamilies)} (e.g. db.t4g.small, db.m7g.large)";
        var match = instanceClass is null ? Match.Empty : ClassPattern().Match(instanceClass);
        if (!match.Success || !PostgresFamilies.Contains(match.Groups["family"].Value) || !Sizes.Contains(match.Groups["size"].Value))
        {
            throw new InvalidSettingException(setting, instanceClass, allowed);
        }

        var family = match.Groups["family"].Value;
        var size = match.Groups["size"].Value;
        if (family.StartsWith('t') && size is not ("micro" or "small" or "medium" or "large" or "xlarge" or "2xlarge"))
        {
            throw new InvalidSettingException(setting, instanceClass, $"burstable sizes micro to 2xlarge for db.{family}. {allowed}");
        }

        if (!family.StartsWith('t') && size is "micro" or "small" or "medium")
        {
            throw new InvalidSettingException(setting, instanceClass, $"sizes large and up for db.{family}. {allowed}");
        }

        if (NotOffered.TryGetValue(engineMajorVersion, out var missing) && missing.Contains(instanceClass!))
        {
            throw new InvalidSettingException(setting, instanceClass, $"a class RDS offers for PostgreSQL {engineMajorVersion}: {instanceClass} is not orderable with it (the smallest is db.t4g.small). {allowed}");
        }
    }

    [GeneratedRegex("^db\\.(?<family>[a-z0-9]+)\\.(?<size>[a-z0-9]+)\\z")]
    private static partial Regex ClassPattern();
}
