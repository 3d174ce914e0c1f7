using Amazon.CDK.AWS.SNS;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="DatabaseAlarms"/>.</summary>
public sealed class DatabaseAlarmsProps
{
    /// <summary>The database watched. Its instance class and allocated storage decide the thresholds.</summary>
    public required PostgresDatabase Database { get; init; }

    /// <summary>The topic that receives every alarm and OK transition.</summary>
    public required ITopic Topic { get; init; }
}
