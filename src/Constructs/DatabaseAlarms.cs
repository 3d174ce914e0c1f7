using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// CloudWatch alarms on the signals that come before an outage of an RDS for PostgreSQL instance, with thresholds
/// computed from its instance class (<see cref="DatabaseClassFacts"/>) and storage:
/// <list type="bullet">
/// <item><c>FreeStorageSpace</c> below <see cref="FreeStorageFraction"/> of the allocated storage (at least 1 GiB) for 5 minutes.
/// Storage autoscaling acts at 10% free, so this fires only when autoscaling could not help: the ceiling is reached
/// or the 6-hour pause between two scalings is not over.</item>
/// <item><c>FreeableMemory</c> below <see cref="FreeableMemoryFraction"/> of the class's memory for 15 minutes: the instance
/// is about to swap or have the kernel kill a backend.</item>
/// <item><c>CPUUtilization</c> above <see cref="CpuUtilizationPercent"/>% for 15 minutes.</item>
/// <item><c>CPUCreditBalance</c> below <see cref="CpuCreditFraction"/> of the class's maximum balance for 15 minutes, on
/// burstable classes only (the others have no credits). RDS runs T classes in unlimited mode: an empty balance means
/// surplus credits are billed, not throttling. A new instance starts at 0 credits, so this alarm is in ALARM for about
/// two hours after creation.</item>
/// <item><c>DatabaseConnections</c> above <see cref="ConnectionsFraction"/> of the class's <c>max_connections</c>
/// (<c>LEAST(DBInstanceClassMemory/9531392, 5000)</c>, computed from the nominal memory; the real figure is about 10%
/// lower, so the alarm fires at roughly 80% of the real limit) for 5 minutes.</item>
/// <item><c>ReadLatency</c> and <c>WriteLatency</c> above <see cref="LatencySeconds"/> s for 15 minutes: gp3 serves single-digit
/// milliseconds; 20 ms sustained means the volume's IOPS or throughput are exhausted.</item>
/// <item><c>DiskQueueDepth</c> above <see cref="DiskQueueDepthThreshold"/> for 15 minutes: requests wait for the volume.</item>
/// </list>
/// Every alarm notifies the topic on ALARM and on OK (so whoever was paged learns it is over) and treats missing
/// data as not breaching: a stopped or rebooting instance publishes no metrics, and its stop, restart or failure is
/// reported by the RDS event subscription instead, so nothing pages twice and a stopped instance never alarms.
/// </summary>
public sealed class DatabaseAlarms : Construct
{
    /// <summary>Free storage alarm: this fraction of the allocated storage.</summary>
    public const double FreeStorageFraction = 0.05;

    /// <summary>Free storage alarm: never below this many bytes (1 GiB).</summary>
    public const double MinimumFreeStorageBytes = 1024d * 1024 * 1024;

    /// <summary>Freeable memory alarm: this fraction of the class's memory.</summary>
    public const double FreeableMemoryFraction = 0.10;

    /// <summary>CPU alarm threshold, in percent.</summary>
    public const double CpuUtilizationPercent = 80;

    /// <summary>CPU credit alarm: this fraction of the class's maximum credit balance.</summary>
    public const double CpuCreditFraction = 0.10;

    /// <summary>Connections alarm: this fraction of the nominal <c>max_connections</c>.</summary>
    public const double ConnectionsFraction = 0.70;

    /// <summary>Read and write latency alarm threshold, in seconds.</summary>
    public const double LatencySeconds = 0.020;

    /// <summary>Disk queue depth alarm threshold (outstanding I/O requests).</summary>
    public const double DiskQueueDepthThreshold = 20;

    /// <summary>Creates the alarms.</summary>
    public DatabaseAlarms(Construct scope, string id, DatabaseAlarmsProps props)
        : base(scope, id)
    {
        var facts = DatabaseClassFacts.For("instanceClass", props.Database.Props.InstanceClass);
        var action = new SnsAction(props.Topic);
        var identifier = props.Database.Props.InstanceIdentifier;

        Alarm Add(string name, string metric, string statistic, double threshold, ComparisonOperator comparison, int periods, string why)
        {
            var alarm = new Alarm(this, name, new AlarmProps
            {
                Metric = new Metric(new MetricProps
                {
                    Namespace = "AWS/RDS",
                    MetricName = metric,
                    DimensionsMap = new Dictionary<string, string> { ["DBInstanceIdentifier"] = identifier },
                    Statistic = statistic,
                    Period = Duration.Minutes(5),
                }),
                Threshold = threshold,
                ComparisonOperator = comparison,
                EvaluationPeriods = periods,
                DatapointsToAlarm = periods,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
                AlarmDescription = $"{identifier}: {why}",
            });
            alarm.AddAlarmAction(action);
            alarm.AddOkAction(action);
            Alarms.Add(alarm);
            return alarm;
        }

        var storageBytes = Math.Max(props.Database.Props.AllocatedStorageGiB * 1024d * 1024 * 1024 * FreeStorageFraction, MinimumFreeStorageBytes);
        FreeStorageSpace = Add("FreeStorageSpace", "FreeStorageSpace", Stats.MINIMUM, Math.Round(storageBytes), ComparisonOperator.LESS_THAN_THRESHOLD, 1,
            $"free storage below {storageBytes / (1024 * 1024 * 1024):0.#} GiB although storage autoscaling acts at 10% free: the autoscaling ceiling is reached or a scaling is pending. Raise MaxAllocatedStorage or free space.");
        var memoryBytes = Math.Round(facts.MemoryBytes * FreeableMemoryFraction);
        FreeableMemory = Add("FreeableMemory", "FreeableMemory", Stats.AVERAGE, memoryBytes, ComparisonOperator.LESS_THAN_THRESHOLD, 3,
            $"freeable memory below {FreeableMemoryFraction:P0} of {facts.MemoryGiB:0.###} GiB for 15 minutes: too many connections or too large work_mem; the instance will swap.");
        CpuUtilization = Add("CpuUtilization", "CPUUtilization", Stats.AVERAGE, CpuUtilizationPercent, ComparisonOperator.GREATER_THAN_THRESHOLD, 3,
            $"CPU above {CpuUtilizationPercent}% for 15 minutes.");
        if (facts.IsBurstable)
        {
            var credits = Math.Round(facts.MaxCpuCreditBalance * CpuCreditFraction);
            CpuCreditBalance = Add("CpuCreditBalance", "CPUCreditBalance", Stats.MINIMUM, credits, ComparisonOperator.LESS_THAN_THRESHOLD, 3,
                $"CPU credit balance below {credits} ({CpuCreditFraction:P0} of {facts.MaxCpuCreditBalance}) for 15 minutes: the load exceeds the burstable baseline and surplus credits are being billed; consider a larger or non-burstable class.");
        }

        var connections = Math.Floor(facts.NominalMaxConnections * ConnectionsFraction);
        DatabaseConnections = Add("DatabaseConnections", "DatabaseConnections", Stats.MAXIMUM, connections, ComparisonOperator.GREATER_THAN_THRESHOLD, 1,
            $"more than {connections} connections ({ConnectionsFraction:P0} of max_connections {facts.NominalMaxConnections} computed from {facts.MemoryGiB:0.###} GiB): new connections will soon be refused. Use a pooler or a larger class.");
        ReadLatency = Add("ReadLatency", "ReadLatency", Stats.AVERAGE, LatencySeconds, ComparisonOperator.GREATER_THAN_THRESHOLD, 3,
            $"read latency above {LatencySeconds * 1000} ms for 15 minutes: the volume's IOPS or throughput are exhausted.");
        WriteLatency = Add("WriteLatency", "WriteLatency", Stats.AVERAGE, LatencySeconds, ComparisonOperator.GREATER_THAN_THRESHOLD, 3,
            $"write latency above {LatencySeconds * 1000} ms for 15 minutes: the volume's IOPS or throughput are exhausted.");
        DiskQueueDepth = Add("DiskQueueDepth", "DiskQueueDepth", Stats.AVERAGE, DiskQueueDepthThreshold, ComparisonOperator.GREATER_THAN_THRESHOLD, 3,
            $"more than {DiskQueueDepthThreshold} I/O requests waiting for 15 minutes.");
        Facts = facts;
    }

    /// <summary>Every alarm of the database.</summary>
    public List<Alarm> Alarms { get; } = new();

    /// <summary>The instance-class facts the thresholds come from.</summary>
    public DatabaseClassFacts Facts { get; }

    /// <summary>Free storage space.</summary>
    public Alarm FreeStorageSpace { get; }

    /// <summary>Freeable memory.</summary>
    public Alarm FreeableMemory { get; }

    /// <summary>CPU utilization.</summary>
    public Alarm CpuUtilization { get; }

    /// <summary>CPU credit balance (burstable classes only), else null.</summary>
    public Alarm? CpuCreditBalance { get; }

    /// <summary>Database connections against the class's limit.</summary>
    public Alarm DatabaseConnections { get; }

    /// <summary>Read latency.</summary>
    public Alarm ReadLatency { get; }

    /// <summary>Write latency.</summary>
    public Alarm WriteLatency { get; }

    /// <summary>Disk queue depth.</summary>
    public Alarm DiskQueueDepth { get; }
}
