using System.Text.RegularExpressions;

namespace RdsStack.Library;

/// <summary>
/// What the alarms need to know about a DB instance class: its memory, whether it is burstable (and how many
/// CPU credits it earns), and the <c>max_connections</c> RDS for PostgreSQL derives from its memory. A committed
/// table, so thresholds follow the class and need no lookup.
/// Sources: "DB instance class types" and "Hardware specifications for DB instance classes" in the RDS user guide
/// (memory: burstable and general-purpose classes have 8 GiB per <c>large</c>, memory-optimized 16, x2g 32, x2idn 32,
/// x2iedn 64; each size step doubles); "CPU credits and baseline utilization for burstable performance instances"
/// in the EC2 user guide (credits earned per hour: micro 12, small 24, medium 24, large 36, xlarge 96, 2xlarge 192;
/// a maximum balance of 24 hours of earnings).
/// </summary>
public sealed partial record DatabaseClassFacts
{
    /// <summary>
    /// The divisor of RDS for PostgreSQL's default <c>max_connections</c> = <c>LEAST({DBInstanceClassMemory/9531392}, 5000)</c>
    /// (the default parameter group of every postgres family).
    /// </summary>
    public const long MaxConnectionsMemoryDivisorBytes = 9531392;

    /// <summary>The cap of RDS for PostgreSQL's default <c>max_connections</c>.</summary>
    public const int MaxConnectionsCap = 5000;

    private static readonly IReadOnlyDictionary<string, double> MemoryGiBPerLarge = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["t3"] = 8,
        ["t4g"] = 8,
        ["m5"] = 8,
        ["m5d"] = 8,
        ["m6g"] = 8,
        ["m6gd"] = 8,
        ["m6i"] = 8,
        ["m6id"] = 8,
        ["m6idn"] = 8,
        ["m6in"] = 8,
        ["m7g"] = 8,
        ["m7i"] = 8,
        ["m8g"] = 8,
        ["r5"] = 16,
        ["r5b"] = 16,
        ["r5d"] = 16,
        ["r6g"] = 16,
        ["r6gd"] = 16,
        ["r6i"] = 16,
        ["r6id"] = 16,
        ["r6idn"] = 16,
        ["r6in"] = 16,
        ["r7g"] = 16,
        ["r7i"] = 16,
        ["r8g"] = 16,
        ["x2g"] = 32,
        ["x2idn"] = 32,
        ["x2iedn"] = 64,
    };

    private static readonly IReadOnlyDictionary<string, double> SizeFactor = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["micro"] = 0.125,
        ["small"] = 0.25,
        ["medium"] = 0.5,
        ["large"] = 1,
        ["xlarge"] = 2,
        ["2xlarge"] = 4,
        ["4xlarge"] = 8,
        ["8xlarge"] = 16,
        ["12xlarge"] = 24,
        ["16xlarge"] = 32,
        ["24xlarge"] = 48,
        ["32xlarge"] = 64,
        ["48xlarge"] = 96,
    };

    private static readonly IReadOnlyDictionary<string, int> CreditsPerHourBySize = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["micro"] = 12,
        ["small"] = 24,
        ["medium"] = 24,
        ["large"] = 36,
        ["xlarge"] = 96,
        ["2xlarge"] = 192,
    };

    /// <summary>The class, e.g. <c>db.t4g.small</c>.</summary>
    public required string InstanceClass { get; init; }

    /// <summary>The class's memory in GiB.</summary>
    public required double MemoryGiB { get; init; }

    /// <summary>True for the burstable (T) families, which have CPU credits.</summary>
    public bool IsBurstable => CpuCreditsPerHour > 0;

    /// <summary>CPU credits a burstable class earns per hour (0 for fixed-performance classes).</summary>
    public int CpuCreditsPerHour { get; init; }

    /// <summary>The largest CPU credit balance a burstable class accrues: 24 hours of earnings.</summary>
    public int MaxCpuCreditBalance => CpuCreditsPerHour * 24;

    /// <summary>The class memory in bytes.</summary>
    public long MemoryBytes => (long)(MemoryGiB * 1024 * 1024 * 1024);

    /// <summary>
    /// The default <c>max_connections</c> computed from the class's nominal memory. RDS's
    /// <c>DBInstanceClassMemory</c> is the nominal memory less what RDS reserves for the operating system and its own
    /// processes, so the real limit is somewhat lower (reported values are about 10% lower); alarms take a margin
    /// below this figure for that reason.
    /// </summary>
    public int NominalMaxConnections => (int)Math.Min(MemoryBytes / MaxConnectionsMemoryDivisorBytes, MaxConnectionsCap);

    /// <summary>
    /// The facts of <paramref name="instanceClass"/>; throws <see cref="InvalidSettingException"/> naming
    /// <paramref name="setting"/> for a class outside the table (e.g. a <c>metal</c> size, whose memory differs by family).
    /// </summary>
    public static DatabaseClassFacts For(string setting, string? instanceClass)
    {
        var match = instanceClass is null ? Match.Empty : ClassPattern().Match(instanceClass);
        if (!match.Success
            || !MemoryGiBPerLarge.TryGetValue(match.Groups["family"].Value, out var perLarge)
            || !SizeFactor.TryGetValue(match.Groups["size"].Value, out var factor))
        {
            throw new InvalidSettingException(setting, instanceClass, $"a DB instance class with known memory: db.<family>.<size> with family one of {string.Join(", ", MemoryGiBPerLarge.Keys)} and size one of {string.Join(", ", SizeFactor.Keys)}");
        }

        var family = match.Groups["family"].Value;
        var size = match.Groups["size"].Value;
        return new DatabaseClassFacts
        {
            InstanceClass = instanceClass!,
            MemoryGiB = perLarge * factor,
            CpuCreditsPerHour = family.StartsWith('t') && CreditsPerHourBySize.TryGetValue(size, out var credits) ? credits : 0,
        };
    }

    [GeneratedRegex("^db\\.(?<family>[a-z0-9]+)\\.(?<size>[a-z0-9]+)\\z")]
    private static partial Regex ClassPattern();
}
