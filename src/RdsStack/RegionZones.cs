using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// Availability-zone names per region, committed so synthesis never looks them up. Each list holds zones every
/// account of the region can use (as of November 2026: for example ap-northeast-1 has no 1b and ca-central-1 no 1c
/// for new accounts). A region missing here needs <c>availabilityZones</c> in <c>config/accounts.json</c>.
/// </summary>
public static class RegionZones
{
    /// <summary>The region of every environment that <c>config/accounts.json</c> does not place elsewhere.</summary>
    public const string DefaultRegion = "eu-west-1";

    private static readonly IReadOnlyDictionary<string, string[]> Suffixes = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["us-east-1"] = new[] { "a", "b", "c", "d", "f" },
        ["us-east-2"] = new[] { "a", "b", "c" },
        ["us-west-2"] = new[] { "a", "b", "c", "d" },
        ["ca-central-1"] = new[] { "a", "b", "d" },
        ["eu-west-1"] = new[] { "a", "b", "c" },
        ["eu-west-2"] = new[] { "a", "b", "c" },
        ["eu-west-3"] = new[] { "a", "b", "c" },
        ["eu-central-1"] = new[] { "a", "b", "c" },
        ["eu-north-1"] = new[] { "a", "b", "c" },
        ["ap-northeast-1"] = new[] { "a", "c", "d" },
        ["ap-southeast-1"] = new[] { "a", "b", "c" },
        ["ap-southeast-2"] = new[] { "a", "b", "c" },
        ["ap-south-1"] = new[] { "a", "b", "c" },
        ["sa-east-1"] = new[] { "a", "b", "c" },
    };

    /// <summary>The regions the table knows.</summary>
    public static IEnumerable<string> KnownRegions => Suffixes.Keys.OrderBy(r => r, StringComparer.Ordinal);

    /// <summary>
    /// The first <paramref name="count"/> zones of <paramref name="region"/>; refuses an unknown region or more zones
    /// than the table lists, naming <paramref name="setting"/>.
    /// </summary>
    public static IReadOnlyList<string> Pick(string region, int count, string setting)
    {
        if (!Suffixes.TryGetValue(region, out var suffixes))
        {
            throw new InvalidSettingException(setting, region, $"a region with known zones ({string.Join(", ", KnownRegions)}), or give availabilityZones for it in config/accounts.json");
        }

        if (count > suffixes.Length)
        {
            throw new InvalidSettingException(setting, region, $"a region with at least {count} zones in the committed table, or give availabilityZones for it in config/accounts.json");
        }

        return suffixes.Take(count).Select(s => region + s).ToArray();
    }
}
