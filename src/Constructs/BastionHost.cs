using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SSM;
using Constructs;
using Ec2InstanceType = Amazon.CDK.AWS.EC2.InstanceType;

namespace RdsStack.Library;

/// <summary>
/// A tunnel-only SSH bastion in a public subnet, for reaching the private database: Amazon Linux 2023 (from the public
/// SSM parameter, resolved at deploy time), one Linux login per named operator with their own key (plus, for a
/// one-person environment, an EC2 key pair for <c>ec2-user</c>), no shell, TTY, sudo or agent/X11 forwarding, and
/// forwarding only to the database endpoint; TCP 22 only from the operators' networks; egress only to the database port
/// and HTTPS; IMDSv2; an encrypted gp3 root volume; automatic security updates; its SSH host keys published to SSM;
/// a role with only what the Session Manager agent needs; and a Session Manager document that can only forward to the
/// database. An Elastic IP keeps its address when a newer image or a new operator list replaces the instance.
/// </summary>
public sealed partial class BastionHost : Construct, IConnectable
{
    /// <summary>
    /// Id of the synth warning for a bastion nobody can reach over SSH; the CLI prints it as
    /// <c>Annotation::@rdsstack/library:bastionAdmitsNoSsh</c>, and
    /// <c>Annotations.Of(bastion).AcknowledgeWarning(id, reason)</c> silences it where no SSH is intended.
    /// </summary>
    public const string NoOperatorCidrsWarning = "@rdsstack/library:bastionAdmitsNoSsh";

    /// <summary>Id of the synth warning for IPv6 operator networks on an IPv4-only bastion.</summary>
    public const string Ipv6OperatorCidrsWarning = "@rdsstack/library:bastionIpv6OperatorCidrs";

    /// <summary>Creates the bastion.</summary>
    public BastionHost(Construct scope, string id, BastionHostProps props)
        : base(scope, id)
    {
        var instanceType = ValidateProps(props);
        HostKeysParameterName = props.HostKeysParameterName ?? $"/rdsstack/{Stack.Of(this).StackName}/bastion/host-keys";
        Operators = props.Operators;
        SecurityGroup = CreateSecurityGroup(props);
        KeyPair = CreateKeyPair(props);
        HasGeneratedKey = KeyPair is not null && props.PublicKeyMaterial is null;
        HostKeysParameter = CreateHostKeysParameter();
        Role = CreateRole();
        AgentPolicy = CreateAgentPolicy();
        Instance = CreateInstance(props, instanceType);
        TunnelDocument = CreateTunnelDocument(props);
        Address = CreateElasticIp(props);
        PlaceThroughNetworkInterface();
        EnableLaunchTemplateMonitoring(props.DetailedMonitoring);
        ApplyTerminationProtection(props.TerminationProtection);
        RecordOperatorsForReview();
        props.Database.AllowFrom(Instance, "PostgreSQL from the bastion (SSH tunnel / Session Manager port forwarding)");
        WarnAboutReach(props);
        AcknowledgeRules(props.TerminationProtection);
    }

    /// <summary>The EC2 instance.</summary>
    public Instance_ Instance { get; }

    /// <summary>The bastion's security group.</summary>
    public SecurityGroup SecurityGroup { get; }

    /// <summary>The EC2 key pair of <c>ec2-user</c>, or null when only named operators log in.</summary>
    public KeyPair? KeyPair { get; }

    /// <summary>The instance role: only the Session Manager agent's channels and writing the host-keys parameter.</summary>
    public Role Role { get; }

    /// <summary>The customer-managed policy that holds the role's permissions.</summary>
    public ManagedPolicy AgentPolicy { get; }

    /// <summary>The SSM parameter holding the SSH host public keys (<c>pending</c> until the instance first boots).</summary>
    public StringParameter HostKeysParameter { get; }

    /// <summary>The name of <see cref="HostKeysParameter"/>.</summary>
    public string HostKeysParameterName { get; }

    /// <summary>
    /// The Session Manager document that forwards a local port to the database endpoint's port 5432 and nowhere else
    /// (the Session Manager counterpart of sshd's <c>PermitOpen</c>). Its name is the document's <c>Ref</c>.
    /// </summary>
    public CfnDocument TunnelDocument { get; }

    /// <summary>The named operators who have a login.</summary>
    public IReadOnlyList<BastionOperator> Operators { get; }

    /// <summary>The Elastic IP.</summary>
    public CfnEIP Address { get; }

    /// <summary>True when EC2 generated the key (its private key is in SSM Parameter Store).</summary>
    public bool HasGeneratedKey { get; }

    /// <summary>The SSM parameter holding the generated private key, or null when there is none.</summary>
    public string? PrivateKeyParameterName => HasGeneratedKey ? $"/ec2/keypair/{KeyPair!.KeyPairId}" : null;

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

    /// <summary>The ARN of <see cref="TunnelDocument"/>.</summary>
    public string TunnelDocumentArn => Stack.Of(this).FormatArn(new ArnComponents { Service = "ssm", Resource = "document", ResourceName = TunnelDocument.Ref });

    /// <summary>The ARN of the instance, for <c>ssm:StartSession</c> grants.</summary>
    public string InstanceArn => Stack.Of(this).FormatArn(new ArnComponents { Service = "ec2", Resource = "instance", ResourceName = Instance.InstanceId });

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

    private static Ec2InstanceType ValidateProps(BastionHostProps props)
    {
        var match = props.InstanceType is null ? Match.Empty : InstanceTypePattern().Match(props.InstanceType);
        if (!match.Success)
        {
            throw new InvalidSettingException("bastionInstanceType", props.InstanceType, "a burstable EC2 instance type: t4g.nano to t4g.large (arm64) or t3.nano to t3.large / t3a.nano to t3a.large (x86_64)");
        }

        if (props.KeyPairName is not null && !KeyPairNamePattern().IsMatch(props.KeyPairName))
        {
            throw new InvalidSettingException("keyPairName", props.KeyPairName, "1 to 255 letters, digits, '.', '_' and '-'");
        }

        if (props.PublicKeyMaterial is not null)
        {
            if (props.KeyPairName is null)
            {
                throw new InvalidSettingException("publicKeyMaterial", "(set)", "only together with keyPairName (the key pair of ec2-user); named operators bring their keys in operators");
            }

            RequireValidPublicKey("publicKeyMaterial", props.PublicKeyMaterial);
        }

        var duplicate = props.Operators.GroupBy(o => o.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidSettingException("operators", duplicate.Key, "each operator name once");
        }

        if (props.HostKeysParameterName is not null && !ParameterNamePattern().IsMatch(props.HostKeysParameterName))
        {
            throw new InvalidSettingException("hostKeysParameterName", props.HostKeysParameterName, "an SSM parameter path: '/' then letters, digits and . _ - /");
        }

        return new Ec2InstanceType(props.InstanceType!);
    }

    private SecurityGroup CreateSecurityGroup(BastionHostProps props)
    {
        var group = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = props.Vpc,
            AllowAllOutbound = false,
            Description = "Bastion: SSH from operator networks only; egress to the database port and HTTPS only",
        });
        foreach (var cidr in props.OperatorCidrs)
        {
            group.AddIngressRule(cidr.IsIpv6 ? Peer.Ipv6(cidr.Text) : Peer.Ipv4(cidr.Text), Port.Tcp(22), $"SSH from operator network {cidr.Text}");
        }

        group.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS: package updates and Session Manager");
        return group;
    }

    private KeyPair? CreateKeyPair(BastionHostProps props)
    {
        if (props.KeyPairName is null)
        {
            return null;
        }

        // The name carries a digest of the key material: switching between a generated and an imported key (or
        // rotating the imported one) replaces the key pair, and a replacement needs a new name.
        var keyMaterial = props.PublicKeyMaterial?.Trim() ?? "generated";
        var keyDigest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(keyMaterial)))[..8].ToLowerInvariant();
        return new KeyPair(this, "KeyPair", new KeyPairProps
        {
            KeyPairName = $"{props.KeyPairName}-{keyDigest}",
            Type = props.PublicKeyMaterial is null ? KeyPairType.ED25519 : null,
            Format = props.PublicKeyMaterial is null ? KeyPairFormat.PEM : null,
            PublicKeyMaterial = props.PublicKeyMaterial?.Trim(),
        });
    }

    private StringParameter CreateHostKeysParameter() => new(this, "HostKeys", new StringParameterProps
    {
        ParameterName = HostKeysParameterName,
        StringValue = "pending",
        Description = "SSH host public keys of the bastion, one '<type> <base64>' line per key, written by the instance at boot",
        Tier = ParameterTier.STANDARD,
    });

    private Role CreateRole() => new(this, "Role", new RoleProps
    {
        AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
        Description = "Bastion instance: Session Manager agent channels and publishing its SSH host keys; nothing else",
    });

    /// <summary>
    /// Exactly what the SSM agent needs for Session Manager (the AWS-managed AWSCloud9SSMInstanceProfile holds the same
    /// five actions; https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html):
    /// no ssm:GetParameter*, no ec2messages (Run Command), no S3 or KMS (no session logging or session encryption is
    /// configured by this stack), plus writing the one host-keys parameter.
    /// </summary>
    private ManagedPolicy CreateAgentPolicy() => new(this, "AgentPolicy", new ManagedPolicyProps
    {
        Description = "Bastion: Session Manager agent channels, and writing its own SSH host-keys parameter",
        Roles = new IRole[] { Role },
        Statements = new[]
        {
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "SessionManagerAgent",
                Actions = new[] { "ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel" },
                Resources = new[] { "*" },
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "PublishHostKeys",
                Actions = new[] { "ssm:PutParameter" },
                Resources = new[] { HostKeysParameter.ParameterArn },
            }),
        },
    });

    private Instance_ CreateInstance(BastionHostProps props, Ec2InstanceType instanceType)
    {
        var stack = Stack.Of(this);
        var instance = new Instance_(this, "Instance", new InstanceProps
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
            Role = Role,
            RequireImdsv2 = true,
            DetailedMonitoring = props.DetailedMonitoring,
            EbsOptimized = true,
            PropagateTagsToVolumeOnCreation = true,
            UserData = BastionUserData.Render(props.Database.EndpointAddress, props.Operators, KeyPair is not null, stack.Region, HostKeysParameterName),
            // User data runs once, at first boot: a changed operator list must reach a new instance. The bastion is
            // stateless and the Elastic IP moves to the replacement.
            UserDataCausesReplacement = true,
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

        // The first boot publishes the host keys: the permission must be attached before the instance starts.
        instance.Node.AddDependency(AgentPolicy);
        return instance;
    }

    /// <summary>
    /// A Session document of type Port whose host and port are fixed (AWS-StartPortForwardingSessionToRemoteHost takes
    /// any host: through it a session could reach every HTTPS host and the instance metadata service).
    /// </summary>
    private CfnDocument CreateTunnelDocument(BastionHostProps props) => new(this, "TunnelDocument", new CfnDocumentProps
    {
        DocumentType = "Session",
        DocumentFormat = "JSON",
        Content = new Dictionary<string, object>
        {
            ["schemaVersion"] = "1.0",
            ["description"] = "Port forwarding from a local port to the database endpoint's port 5432 only, through the bastion",
            ["sessionType"] = "Port",
            ["parameters"] = new Dictionary<string, object>
            {
                ["localPortNumber"] = new Dictionary<string, object>
                {
                    ["type"] = "String",
                    ["description"] = "Port number on your machine",
                    ["allowedPattern"] = "^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
                    ["default"] = "5432",
                },
            },
            ["properties"] = new Dictionary<string, object>
            {
                ["type"] = "LocalPortForwarding",
                ["host"] = props.Database.EndpointAddress,
                ["portNumber"] = PostgresDefaults.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["localPortNumber"] = "{{ localPortNumber }}",
            },
        },
    });

    private CfnEIP CreateElasticIp(BastionHostProps props)
    {
        // An Elastic IP can only be bound once the VPC's internet gateway is attached; the instance waits for the
        // public routes too, so its first boot can reach the package repositories once the address is bound.
        // (A public subnet's InternetConnectivityEstablished is its default route, which waits for the attachment;
        // the VPC-level one is only the gateway resource.)
        var address = new CfnEIP(this, "Address", new CfnEIPProps { Domain = "vpc", InstanceId = Instance.InstanceId });
        foreach (var subnet in props.Vpc.SelectSubnets(props.VpcSubnets).Subnets)
        {
            Instance.Node.AddDependency(subnet.InternetConnectivityEstablished);
            address.Node.AddDependency(subnet.InternetConnectivityEstablished);
        }

        return address;
    }

    /// <summary>
    /// Escape hatch (Control Tower CT.EC2.PR.8): the instance is placed through an explicit primary network interface
    /// with <c>AssociatePublicIpAddress = false</c> (its only public address is the Elastic IP). The interface carries
    /// the subnet and the instance's security groups, so <see cref="Connections"/> keeps working.
    /// </summary>
    private void PlaceThroughNetworkInterface()
    {
        var cfnInstance = (CfnInstance)Instance.Node.DefaultChild!;
        var subnetId = cfnInstance.SubnetId;
        var groupIds = Instance.Connections.SecurityGroups.Select(g => g.SecurityGroupId).ToArray();
        cfnInstance.AddPropertyDeletionOverride("SubnetId");
        cfnInstance.AddPropertyDeletionOverride("SecurityGroupIds");
        cfnInstance.AddPropertyOverride("NetworkInterfaces", new object[]
        {
            new Dictionary<string, object?>
            {
                ["DeviceIndex"] = "0",
                ["SubnetId"] = subnetId,
                ["GroupSet"] = groupIds,
                ["AssociatePublicIpAddress"] = false,
                ["DeleteOnTermination"] = true,
            },
        });
        NagAcknowledgement.Add(
            Instance,
            "The instance is in this VPC: its primary network interface (NetworkInterfaces[0].SubnetId, a public subnet of the stack's VPC) places it. The rule reads only the instance-level SubnetId, which EC2 does not accept together with NetworkInterfaces; the interface form is used so the instance gets no public address of its own (Control Tower CT.EC2.PR.8).",
            "NIST.800.53.R5-EC2InstancesInVPC",
            "HIPAA.Security-EC2InstancesInVPC",
            "PCI.DSS.321-EC2InstancesInVPC");
    }

    /// <summary>
    /// Escape hatch (Control Tower CT.EC2.PR.10): the launch template CDK adds for IMDSv2 also turns on detailed
    /// monitoring. CDK creates that template in an aspect at synth time, so the override is applied by one too.
    /// </summary>
    private void EnableLaunchTemplateMonitoring(bool detailedMonitoring)
    {
        if (detailedMonitoring)
        {
            Aspects.Of(Instance).Add(new LaunchTemplateMonitoring());
        }
    }

    private void ApplyTerminationProtection(bool terminationProtection) =>
        ((CfnInstance)Instance.Node.DefaultChild!).DisableApiTermination = terminationProtection;

    /// <summary>
    /// Puts the named operators with their key fingerprints into the instance's template metadata
    /// (<c>RdsStack::Operators</c>), where the reviewer report reads who can log in.
    /// </summary>
    private void RecordOperatorsForReview() =>
        ((CfnInstance)Instance.Node.DefaultChild!).AddMetadata("RdsStack::Operators", Operators.Select(o => new Dictionary<string, object>
        {
            ["name"] = o.Name,
            ["fingerprint"] = o.Fingerprint,
            ["publicKey"] = o.KeyWithoutComment,
        }).ToArray());

    private void WarnAboutReach(BastionHostProps props)
    {
        if (props.OperatorCidrs.Count == 0 || (props.Operators.Count == 0 && KeyPair is null))
        {
            Annotations.Of(this).AddWarningV2(
                NoOperatorCidrsWarning,
                "The bastion admits no SSH (" + (props.OperatorCidrs.Count == 0 ? "no operator networks" : "no logins: no named operators and no key pair") + "). " +
                "Session Manager port forwarding (TunnelDocument, no key and no open port) is the only way in.");
        }

        if (props.OperatorCidrs.Any(c => c.IsIpv6))
        {
            Annotations.Of(this).AddWarningV2(
                Ipv6OperatorCidrsWarning,
                "IPv6 operator CIDRs are admitted by the security group, but the bastion is reachable over IPv4 only (its Elastic IP): " +
                "the VPC has no IPv6 range. Connect over IPv4, or give the VPC and bastion IPv6 addresses.");
        }
    }

    private void AcknowledgeRules(bool terminationProtection)
    {
        NagAcknowledgement.Add(
            AgentPolicy,
            "Resource * only for the Session Manager agent's five actions (ssm:UpdateInstanceInformation and the four ssmmessages channel actions), the minimum AWS documents for Session Manager (the same set as the AWS-managed AWSCloud9SSMInstanceProfile); the ssmmessages actions have no resource type to scope to. The role can read no parameter and write only its own host-keys parameter.",
            "AwsSolutions-IAM5");

        if (!terminationProtection)
        {
            NagAcknowledgement.Add(
                Instance,
                "Termination protection is off on purpose: every new Amazon Linux 2023 image or operator list replaces the bastion, and CloudFormation cannot remove a protected old instance. The bastion stores nothing, the same template recreates it in minutes, the Elastic IP keeps its address, and the database is unaffected by its loss.",
                "AwsSolutions-EC29");
        }
    }

    private sealed class LaunchTemplateMonitoring : Amazon.JSII.Runtime.Deputy.DeputyBase, IAspect
    {
        public void Visit(IConstruct node)
        {
            if (node is CfnLaunchTemplate launchTemplate)
            {
                launchTemplate.AddPropertyOverride("LaunchTemplateData.Monitoring.Enabled", true);
            }
        }
    }

    [GeneratedRegex("^(t4g|t3|t3a)\\.(nano|micro|small|medium|large)\\z")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,255}\\z")]
    private static partial Regex KeyPairNamePattern();

    [GeneratedRegex("^/[A-Za-z0-9._/-]{1,1010}\\z")]
    private static partial Regex ParameterNamePattern();

    [GeneratedRegex("^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]{40,}={0,2}( [^\\r\\n]*)?\\z")]
    private static partial Regex PublicKeyPattern();
}
