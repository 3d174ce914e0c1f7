using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="PrivateNetwork"/>.</summary>
public sealed class PrivateNetworkProps
{
    /// <summary>
    /// The availability zones to span, given explicitly so synthesis needs no context lookup.
    /// At least two (an RDS subnet group needs two), at most six, no repeats.
    /// </summary>
    public required IReadOnlyList<string> AvailabilityZones { get; init; }

    /// <summary>The VPC's IPv4 range (/16 to /18). Default <c>10.0.0.0/16</c>.</summary>
    public string Cidr { get; init; } = "10.0.0.0/16";

    /// <summary>
    /// NAT gateways, from 0 to one per AZ. Default 0: the app tier is isolated as well (no route to the
    /// internet) and nothing is billed per hour; with fewer than the AZ count, app subnets share gateways across zones.
    /// </summary>
    public int NatGateways { get; init; }

    /// <summary>The key that encrypts the flow-log group.</summary>
    public required IKey EncryptionKey { get; init; }

    /// <summary>How long VPC flow logs are kept. Default one year.</summary>
    public RetentionDays FlowLogRetention { get; init; } = RetentionDays.ONE_YEAR;

    /// <summary>What happens to the flow-log group when it leaves the stack. Default retain.</summary>
    public RemovalPolicy LogRemovalPolicy { get; init; } = RemovalPolicy.RETAIN;
}
