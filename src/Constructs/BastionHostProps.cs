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
    /// The operator networks admitted on TCP 22 (see <see cref="IpCidr"/>). Default empty: no SSH ingress at all, and a
    /// synth warning (<see cref="BastionHost.NoOperatorCidrsWarning"/>); Session Manager port forwarding still works.
    /// </summary>
    public IReadOnlyList<IpCidr> OperatorCidrs { get; init; } = Array.Empty<IpCidr>();

    /// <summary>
    /// The named operators: each gets their own Linux login with only their own key, tunnel-only (no shell, TTY,
    /// sudo or agent/X11 forwarding; forwarding to the database endpoint only). Changing the list changes the user
    /// data and so replaces the instance (stateless; the Elastic IP moves to the new one). Default: none.
    /// </summary>
    public IReadOnlyList<BastionOperator> Operators { get; init; } = Array.Empty<BastionOperator>();

    /// <summary>
    /// The EC2 key pair's name (e.g. <c>rdsstack-sandbox-alice-bastion</c>), for a one-person environment whose owner
    /// logs in as <c>ec2-user</c> (same tunnel-only rules). Default null: no EC2 key pair at all, only
    /// <see cref="Operators"/> log in — a shared key cannot be revoked from one person.
    /// </summary>
    public string? KeyPairName { get; init; }

    /// <summary>
    /// An OpenSSH ED25519 public key (<c>ssh-ed25519 AAAA…</c>) to import as the key pair instead of having EC2
    /// generate it (needs <see cref="KeyPairName"/>). Then the private key never exists in AWS at all. Default: EC2
    /// generates the key and keeps the private key in SSM Parameter Store only.
    /// </summary>
    public string? PublicKeyMaterial { get; init; }

    /// <summary>
    /// The SSM String parameter the instance writes its SSH host public keys to at boot (one <c>&lt;type&gt; &lt;base64&gt;</c>
    /// line per key), so operators can verify the host before first use. The stack creates it with the value
    /// <c>pending</c>. Default <c>/rdsstack/&lt;stack name&gt;/bastion/host-keys</c>.
    /// </summary>
    public string? HostKeysParameterName { get; init; }

    /// <summary>
    /// One-minute CloudWatch metrics for the instance and its launch template (Control Tower CT.EC2.PR.10).
    /// Default true; costs about 2.10 USD a month per instance (7 metrics at the CloudWatch custom-metric price).
    /// </summary>
    public bool DetailedMonitoring { get; init; } = true;

    /// <summary>
    /// EC2 termination protection. Default false: the image comes from the public SSM parameter at every deploy,
    /// so a new Amazon Linux release replaces the instance, and a protected instance would make CloudFormation
    /// fail to remove the old one (left running, holding the security group). Turn it on only with a pinned image.
    /// </summary>
    public bool TerminationProtection { get; init; }
}
