using Amazon.CDK;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="EnvironmentKey"/>.</summary>
public sealed class EnvironmentKeyProps
{
    /// <summary>The key alias without the <c>alias/</c> prefix, e.g. <c>rdsstack-dev</c>.</summary>
    public required string Alias { get; init; }

    /// <summary>
    /// What happens to the key when it leaves the stack. Default: <see cref="RemovalPolicy.RETAIN"/>,
    /// because a destroyed key makes every snapshot and backup it encrypted unreadable.
    /// </summary>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;
}
