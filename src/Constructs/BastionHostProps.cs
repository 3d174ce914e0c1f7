using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="BastionHost"/>.</summary>
public sealed class BastionHostProps
{
    /// <summary>The VPC.</summary>
    public required IVpc Vpc { get; init; }

    /// <summary>The public subnets the bastion goes in. Default: the VPC's public subnets.</summary>
    public SubnetSelection VpcSubnets { get; init; } = new() { SubnetType = SubnetType.PUBLIC };

    /// <summary>The database the bastion forwards to: it gets the only non-HTTPS egress rule.</summary>
    public required PostgresDatabase Database { get; init; }

    /// <summary>The key that encrypts the root volume.</summary>
    public required IKey EncryptionKey { get; init; }

    /// <summary>
    /// The EC2 instance type (burstable, e.g. <c>t4g.nano</c>); its architecture picks the Amazon Linux 2023
    /// image. Default <c>t4g.nano</c>.
    /// </summary>
    public string InstanceType { get; init; } = "t4g.nano";

    /// <summary>
    /// The operator networks admitted on TCP 22 (see <see cref="IpCidr"/>). Empty: no SSH ingress at all, and a
    /// synth warning saying how to add one; Session Manager still works.
    /// </summary>
    public IReadOnlyList<IpCidr> OperatorCidrs { get; init; } = Array.Empty<IpCidr>();

    /// <summary>The EC2 key pair's name, e.g. <c>rdsstack-dev-bastion</c>.</summary>
    public required string KeyPairName { get; init; }

    /// <summary>
    /// An OpenSSH ED25519 public key (<c>ssh-ed25519 AAAA…</c>) to import instead of having EC2 generate the
    /// key pair. Then the private key never exists in AWS at all. Default: EC2 generates the key and keeps the
    /// private key in SSM Parameter Store only.
    /// </summary>
    public string? PublicKeyMaterial { get; init; }

    /// <summary>
    /// EC2 termination protection. Default false: the image comes from the public SSM parameter at every deploy,
    /// so a new Amazon Linux release replaces the instance, and a protected instance would make CloudFormation
    /// fail to remove the old one (left running, holding the security group). Turn it on only with a pinned image.
    /// </summary>
    public bool TerminationProtection { get; init; }

    /// <summary>
    /// EC2 detailed (1-minute) monitoring. Default true. Status checks are published every minute either way.
    /// </summary>
    public bool DetailedMonitoring { get; init; } = true;
}
