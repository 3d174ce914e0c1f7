using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;
using Ec2InstanceType = Amazon.CDK.AWS.EC2.InstanceType;

namespace RdsStack.Library;

/// <summary>
/// An SSH bastion in a public subnet, for tunnelling to the private database: Amazon Linux 2023 (from
/// the public SSM parameter, resolved at deploy time), an EC2 key pair whose private key stays in SSM
/// Parameter Store (or an imported public key, so no private key exists in AWS), TCP 22 only from the
/// operators' own networks, egress only to the database port and HTTPS, IMDSv2, an encrypted gp3 root
/// volume, hardened sshd, automatic security updates, and a role with only what Session Manager needs
/// (so port forwarding through Session Manager works with no key and no open port). An Elastic IP keeps
/// its address when a newer image replaces the instance.
/// </summary>
public sealed partial class BastionHost : Construct, IConnectable
{
    /// <summary>Creates the bastion.</summary>
    public BastionHost(Construct scope, string id, BastionHostProps props)
        : base(scope, id)
    {
        var instanceType = ParseInstanceType(props.InstanceType);
        if (props.KeyPairName is null || !KeyPairNamePattern().IsMatch(props.KeyPairName))
        {
            throw new InvalidSettingException("keyPairName", props.KeyPairName, "1 to 255 letters, digits, '.', '_' and '-'");
        }

        if (props.PublicKeyMaterial is not null)
        {
            RequireValidPublicKey("publicKeyMaterial", props.PublicKeyMaterial);
        }

        SecurityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = props.Vpc,
            AllowAllOutbound = false,
            Description = "Bastion: SSH from operator networks only; egress to the database port and HTTPS only",
        });
        foreach (var cidr in props.OperatorCidrs)
        {
            SecurityGroup.AddIngressRule(cidr.IsIpv6 ? Peer.Ipv6(cidr.Text) : Peer.Ipv4(cidr.Text), Port.Tcp(22), $"SSH from operator network {cidr.Text}");
        }

        if (props.OperatorCidrs.Count == 0)
        {
            Annotations.Of(this).AddWarning(
                "The bastion admits no SSH: no operatorCidrs were given. Add your network with -c operatorCidrs=<your public IP>/32 " +
                "(find it with 'curl -s https://checkip.amazonaws.com'), or use the SessionManagerTunnelCommand output, which needs no open port.");
        }

        if (props.OperatorCidrs.Any(c => c.IsIpv6))
        {
            Annotations.Of(this).AddWarning(
                "IPv6 operator CIDRs are admitted by the security group, but the bastion is reachable over IPv4 only (its Elastic IP): " +
                "the VPC has no IPv6 range. Connect over IPv4, or give the VPC and bastion IPv6 addresses.");
        }

        SecurityGroup.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS: package updates and Session Manager");

        // The name carries a digest of the key material: switching between a generated and an imported key (or
        // rotating the imported one) replaces the key pair, and a replacement needs a new name.
        var keyMaterial = props.PublicKeyMaterial?.Trim() ?? "generated";
        var keyDigest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(keyMaterial)))[..8].ToLowerInvariant();
        KeyPair = new KeyPair(this, "KeyPair", new KeyPairProps
        {
            KeyPairName = $"{props.KeyPairName}-{keyDigest}",
            Type = props.PublicKeyMaterial is null ? KeyPairType.ED25519 : null,
            Format = props.PublicKeyMaterial is null ? KeyPairFormat.PEM : null,
            PublicKeyMaterial = props.PublicKeyMaterial?.Trim(),
        });

        var userData = UserData.ForLinux();
        userData.AddCommands(
            "set -euo pipefail",
            "cat > /etc/ssh/sshd_config.d/10-rdsstack.conf <<'SSHD'",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin no",
            "X11Forwarding no",
            "AllowAgentForwarding no",
            "AllowTcpForwarding local",
            $"PermitOpen {props.Database.EndpointAddress}:{PostgresDefaults.Port}",
            "MaxAuthTries 3",
            "ClientAliveInterval 300",
            "SSHD",
            "systemctl reload sshd",
            "# Amazon Linux 2023 locks dnf to the image's release; follow the latest release so updates arrive.",
            "echo latest > /etc/dnf/vars/releasever",
            "# The instance boots without a public address; the Elastic IP arrives moments later. Wait for it.",
            "for attempt in $(seq 1 60); do dnf -y install dnf-automatic && break; sleep 10; done",
            "rpm -q dnf-automatic",
            "sed -i -e 's/^upgrade_type.*/upgrade_type = security/' -e 's/^apply_updates.*/apply_updates = yes/' /etc/dnf/automatic.conf",
            "systemctl enable --now dnf-automatic.timer");

        Instance = new Instance_(this, "Instance", new InstanceProps
        {
            Vpc = props.Vpc,
            VpcSubnets = props.VpcSubnets,
            InstanceType = instanceType,
            // The al2023-ami-kernel-default-* parameter follows AL2023's recommended kernel (CDK 2.160's helper
            // pins kernel 6.1); resolved by CloudFormation at deploy time, never looked up at synth.
            MachineImage = MachineImage.FromSsmParameter(
                $"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{(instanceType.Architecture == InstanceArchitecture.ARM_64 ? "arm64" : "x86_64")}",
                new SsmParameterImageOptions { Os = OperatingSystemType.LINUX }),
            SecurityGroup = SecurityGroup,
            KeyPair = KeyPair,
            RequireImdsv2 = true,
            SsmSessionPermissions = true,
            DetailedMonitoring = props.DetailedMonitoring,
            EbsOptimized = true,
            PropagateTagsToVolumeOnCreation = true,
            UserData = userData,
            BlockDevices = new IBlockDevice[]
            {
                new BlockDevice
                {
                    DeviceName = "/dev/xvda",
                    Volume = BlockDeviceVolume.Ebs(10, new EbsDeviceOptions
                    {
                        Encrypted = true,
                        KmsKey = props.EncryptionKey,
                        VolumeType = EbsDeviceVolumeType.GP3,
                        DeleteOnTermination = true,
                    }),
                },
            },
        });
        // The role may read SSM parameters (Session Manager needs ssm:GetParameter on *), but never a key pair's
        // private key: those live under /ec2/keypair/ and belong to operators, not to a bastion.
        Instance.Role.AddToPrincipalPolicy(new Amazon.CDK.AWS.IAM.PolicyStatement(new Amazon.CDK.AWS.IAM.PolicyStatementProps
        {
            Sid = "NoKeyPairPrivateKeys",
            Effect = Amazon.CDK.AWS.IAM.Effect.DENY,
            Actions = new[] { "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath" },
            Resources = new[] { Stack.Of(this).FormatArn(new ArnComponents { Service = "ssm", Resource = "parameter", ResourceName = "ec2/keypair/*" }) },
        }));
        var cfnInstance = (CfnInstance)Instance.Node.DefaultChild!;
        cfnInstance.DisableApiTermination = props.TerminationProtection;

        // An Elastic IP can only be bound once the VPC's internet gateway is attached; the instance waits for the
        // public routes too, so its first boot can reach the package repositories once the address is bound.
        // (A public subnet's InternetConnectivityEstablished is its default route, which waits for the attachment;
        // the VPC-level one is only the gateway resource.)
        Address = new CfnEIP(this, "Address", new CfnEIPProps { Domain = "vpc", InstanceId = Instance.InstanceId });
        foreach (var subnet in props.Vpc.SelectSubnets(props.VpcSubnets).Subnets)
        {
            Instance.Node.AddDependency(subnet.InternetConnectivityEstablished);
            Address.Node.AddDependency(subnet.InternetConnectivityEstablished);
        }

        props.Database.AllowFrom(Instance, "PostgreSQL from the bastion (SSH tunnel / Session Manager port forwarding)");

        HasGeneratedKey = props.PublicKeyMaterial is null;
        AcknowledgeRules(props.TerminationProtection);
    }

    /// <summary>The EC2 instance.</summary>
    public Instance_ Instance { get; }

    /// <summary>The bastion's security group.</summary>
    public SecurityGroup SecurityGroup { get; }

    /// <summary>The key pair.</summary>
    public KeyPair KeyPair { get; }

    /// <summary>The Elastic IP.</summary>
    public CfnEIP Address { get; }

    /// <summary>True when EC2 generated the key (its private key is in SSM Parameter Store).</summary>
    public bool HasGeneratedKey { get; }

    /// <summary>The SSM parameter holding the generated private key, or null when a public key was imported.</summary>
    public string? PrivateKeyParameterName => HasGeneratedKey ? $"/ec2/keypair/{KeyPair.KeyPairId}" : null;

    /// <summary>The public IPv4 address (the Elastic IP).</summary>
    public string PublicIp => Address.Ref;

    /// <summary>The public DNS name of the Elastic IP, e.g. <c>ec2-203-0-113-7.eu-west-1.compute.amazonaws.com</c>.</summary>
    public string PublicDnsName
    {
        get
        {
            var region = Stack.Of(this).Region;
            var domain = region == "us-east-1" ? "compute-1.amazonaws.com" : $"{region}.compute.amazonaws.com";
            return Fn.Join(string.Empty, new[] { "ec2-", Fn.Join("-", Fn.Split(".", PublicIp)), ".", domain });
        }
    }

    /// <summary>The bastion's network connections.</summary>
    public Connections_ Connections => Instance.Connections;

    /// <summary>
    /// Throws <see cref="InvalidSettingException"/> naming <paramref name="setting"/> unless <paramref name="value"/>
    /// is an OpenSSH ED25519 public key.
    /// </summary>
    public static void RequireValidPublicKey(string setting, string? value)
    {
        if (value is null || !PublicKeyPattern().IsMatch(value.Trim()))
        {
            throw new InvalidSettingException(setting, value, "an OpenSSH ED25519 public key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5… [comment]' (the contents of ~/.ssh/id_ed25519.pub)");
        }
    }

    private static Ec2InstanceType ParseInstanceType(string? value)
    {
        var match = value is null ? Match.Empty : InstanceTypePattern().Match(value);
        if (!match.Success)
        {
            throw new InvalidSettingException("bastionInstanceType", value, "a burstable EC2 instance type: t4g.nano to t4g.large (arm64) or t3.nano to t3.large / t3a.nano to t3a.large (x86_64)");
        }

        return new Ec2InstanceType(value!);
    }

    private void AcknowledgeRules(bool terminationProtection)
    {
        NagAcknowledgement.Add(
            Instance.Role,
            "The managed policy is AWS-managed AmazonSSMManagedInstanceCore, the documented minimum for the SSM agent (Session Manager port forwarding as the key-less path), maintained by AWS as the agent's API needs change. Its ssm:GetParameter* on * is narrowed by an explicit deny on parameter/ec2/keypair/*, so no bastion can read any key pair's private key.",
            "AwsSolutions-IAM4");
        if (Instance.Role.Node.TryFindChild("DefaultPolicy") is { } denyPolicy)
        {
            NagAcknowledgement.Add(
                denyPolicy,
                "The bastion role's only inline policy is an explicit Deny of ssm:GetParameter* on parameter/ec2/keypair/*: it removes access rather than granting any, and is bound to this one role.",
                "NIST.800.53.R5-IAMNoInlinePolicy",
                "HIPAA.Security-IAMNoInlinePolicy",
                "PCI.DSS.321-IAMNoInlinePolicy");
        }

        if (!terminationProtection)
        {
            NagAcknowledgement.Add(
                Instance,
                "Termination protection is off on purpose: every new Amazon Linux 2023 image replaces the bastion, and CloudFormation cannot remove a protected old instance. The bastion stores nothing, the same template recreates it in minutes, the Elastic IP keeps its address, and the database is unaffected by its loss.",
                "AwsSolutions-EC29");
        }
    }

    [GeneratedRegex("^(t4g|t3|t3a)\\.(nano|micro|small|medium|large)$")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,255}$")]
    private static partial Regex KeyPairNamePattern();

    [GeneratedRegex("^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]{40,}={0,2}( [^\\r\\n]*)?$")]
    private static partial Regex PublicKeyPattern();
}
