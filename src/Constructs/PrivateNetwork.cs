using System.Net;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// A three-tier VPC: <c>Public</c> (internet-facing: NAT gateways and the bastion), <c>App</c> (private;
/// egress through NAT when the environment has NAT gateways, isolated otherwise) and <c>Database</c>
/// (isolated: no route to or from the internet). Public subnets do not hand out public addresses —
/// whatever is public there gets an Elastic IP on purpose. All traffic is recorded by VPC flow logs into a
/// KMS-encrypted log group through a role only this account's flow logs can assume; S3 is reached through a gateway
/// endpoint whose policy admits only this account's buckets and the package and image-layer buckets; the default
/// security group has no rules.
/// </summary>
public sealed class PrivateNetwork : Construct
{
    /// <summary>Subnet group name of the internet-facing tier.</summary>
    public const string PublicTier = "Public";

    /// <summary>Subnet group name of the application tier.</summary>
    public const string AppTier = "App";

    /// <summary>Subnet group name of the isolated database tier.</summary>
    public const string DatabaseTier = "Database";

    /// <summary>Creates the network.</summary>
    public PrivateNetwork(Construct scope, string id, PrivateNetworkProps props)
        : base(scope, id)
    {
        Validate(props);

        var appTierType = props.NatGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;
        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr(props.Cidr),
            AvailabilityZones = props.AvailabilityZones.ToArray(),
            NatGateways = props.NatGateways,
            RestrictDefaultSecurityGroup = true,
            EnableDnsHostnames = true,
            EnableDnsSupport = true,
            SubnetConfiguration = new ISubnetConfiguration[]
            {
                new SubnetConfiguration { Name = PublicTier, SubnetType = SubnetType.PUBLIC, CidrMask = 24, MapPublicIpOnLaunch = false },
                new SubnetConfiguration { Name = AppTier, SubnetType = appTierType, CidrMask = 22 },
                new SubnetConfiguration { Name = DatabaseTier, SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
            },
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions
                {
                    Service = GatewayVpcEndpointAwsService.S3,
                    Subnets = new ISubnetSelection[] { new SubnetSelection { SubnetGroupName = AppTier }, new SubnetSelection { SubnetGroupName = DatabaseTier } },
                },
            },
        });

        FlowLogGroup = new LogGroup(this, "FlowLogs", new LogGroupProps
        {
            EncryptionKey = props.EncryptionKey,
            Retention = props.FlowLogRetention,
            RemovalPolicy = props.LogRemovalPolicy,
        });
        FlowLogRole = CreateFlowLogRole();
        Vpc.AddFlowLog("FlowLog", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToCloudWatchLogs(FlowLogGroup, FlowLogRole),
            TrafficType = FlowLogTrafficType.ALL,
        });

        RestrictS3Endpoint();
        AcknowledgeRules();
        KeepCdkHandlersOnCurrentRuntimes();
    }

    /// <summary>The VPC.</summary>
    public Vpc Vpc { get; }

    /// <summary>The encrypted log group that receives the VPC flow logs.</summary>
    public LogGroup FlowLogGroup { get; }

    /// <summary>
    /// The role VPC Flow Logs assumes to write into <see cref="FlowLogGroup"/>: trusted by <c>vpc-flow-logs.amazonaws.com</c>
    /// only for this account's flow logs (<c>aws:SourceAccount</c>, <c>aws:SourceArn</c>), so no other account can have
    /// the service write into this log group.
    /// </summary>
    public Role FlowLogRole { get; }

    /// <summary>The S3 gateway endpoint of the app and database tiers.</summary>
    public GatewayVpcEndpoint S3Endpoint => (GatewayVpcEndpoint)Vpc.Node.FindChild("S3");

    /// <summary>The internet-facing subnets.</summary>
    public SubnetSelection PublicSubnets => new() { SubnetGroupName = PublicTier };

    /// <summary>The application subnets.</summary>
    public SubnetSelection AppSubnets => new() { SubnetGroupName = AppTier };

    /// <summary>The isolated database subnets.</summary>
    public SubnetSelection DatabaseSubnets => new() { SubnetGroupName = DatabaseTier };

    /// <summary>
    /// The VPC's <c>RestrictDefaultSecurityGroup</c> makes CDK 2.160 add a stack-wide Node.js 20 handler, a runtime
    /// Lambda no longer creates: the network moves it (and any other CDK provider handler of the stack) to a
    /// current runtime itself instead of relying on the app.
    /// </summary>
    private void KeepCdkHandlersOnCurrentRuntimes() => LambdaRuntimeFloor.ApplyTo(Stack.Of(this));

    private Role CreateFlowLogRole()
    {
        var stack = Stack.Of(this);
        return new Role(this, "FlowLogRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("vpc-flow-logs.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:ec2:{stack.Region}:{stack.Account}:vpc-flow-log/*" },
            }),
            Description = "VPC Flow Logs: writes this VPC's flow logs into its encrypted log group",
        });
    }

    // The endpoint serves the app and database route tables only (the public tier, with the bastion, reaches S3 through
    // the internet gateway). Nothing the stack deploys needs S3 there; what an application in the app tier needs is its
    // own account's buckets, the Amazon Linux 2023 package repositories and ECR's image layers (ECS pulls layers from
    // S3 through this endpoint). Any other bucket — another account's, an attacker's — is unreachable through it.
    private void RestrictS3Endpoint()
    {
        var stack = Stack.Of(this);
        var endpoint = S3Endpoint;
        endpoint.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "BucketsOfThisAccount",
            Principals = new IPrincipal[] { new AnyPrincipal() },
            Actions = new[] { "s3:*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["aws:ResourceAccount"] = stack.Account } },
        }));
        endpoint.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AmazonLinuxRepositoriesAndEcrLayers",
            Principals = new IPrincipal[] { new AnyPrincipal() },
            Actions = new[] { "s3:GetObject" },
            Resources = new[]
            {
                $"arn:{stack.Partition}:s3:::al2023-repos-{stack.Region}-*/*",
                $"arn:{stack.Partition}:s3:::prod-{stack.Region}-starport-layer-bucket/*",
            },
        }));
    }

    private void AcknowledgeRules()
    {
        foreach (var subnet in Vpc.PublicSubnets)
        {
            NagAcknowledgement.Add(
                subnet.Node.FindChild("DefaultRoute"),
                "Only the public tier routes 0.0.0.0/0 to the internet gateway, by design: it holds the NAT gateways and the bastion's Elastic IP. Subnets there assign no public addresses; the app tier leaves only through NAT and the database tier has no internet route at all.",
                "NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW",
                "HIPAA.Security-VPCNoUnrestrictedRouteToIGW",
                "PCI.DSS.321-VPCNoUnrestrictedRouteToIGW");
        }

        NagAcknowledgement.Add(
            Vpc,
            "The default security group is closed: the Custom::VpcRestrictDefaultSG resource of this VPC (RestrictDefaultSecurityGroup) removes its ingress and egress rules at deploy time, which the rule cannot see from the template. Nothing in the stack uses the default group.",
            "NIST.800.53.R5-VPCDefaultSecurityGroupClosed",
            "HIPAA.Security-VPCDefaultSecurityGroupClosed",
            "PCI.DSS.321-VPCDefaultSecurityGroupClosed");

        if (FlowLogRole.Node.TryFindChild("DefaultPolicy") is { } flowLogPolicy)
        {
            NagAcknowledgement.Add(
                flowLogPolicy,
                "The flow-log delivery role's inline policy is generated by CDK for this one role: write access to this VPC's one flow-log group only. Bound to the role's lifecycle and attachable nowhere else.",
                "NIST.800.53.R5-IAMNoInlinePolicy",
                "HIPAA.Security-IAMNoInlinePolicy",
                "PCI.DSS.321-IAMNoInlinePolicy");
        }

        // CDK's own handler that empties the default security group: one per stack, created with the VPC.
        var provider = Stack.Of(this).Node.TryFindChild("Custom::VpcRestrictDefaultSGCustomResourceProvider");
        if (provider?.Node.TryFindChild("Role") is CfnResource role)
        {
            NagAcknowledgement.Add(
                role,
                "Role of CDK's deploy-time handler that empties the VPC's default security group: AWSLambdaBasicExecutionRole (its own logs) plus an inline statement allowing only ec2:AuthorizeSecurityGroup*/RevokeSecurityGroup* on this VPC's default security group. Generated by CDK, used only while CloudFormation deploys.",
                "AwsSolutions-IAM4",
                "NIST.800.53.R5-IAMNoInlinePolicy",
                "HIPAA.Security-IAMNoInlinePolicy",
                "PCI.DSS.321-IAMNoInlinePolicy");
        }

        if (provider?.Node.TryFindChild("Handler") is CfnResource handler)
        {
            const string deployTimeHandler = "CDK's deploy-time handler that empties the default security group: invoked only by CloudFormation on create/update/delete of this stack, calls only the EC2 API, holds no data. A VPC placement would need NAT or endpoints for no gain; a DLQ or reserved concurrency has nothing to protect (CloudFormation reports failures).";
            NagAcknowledgement.Add(
                handler,
                deployTimeHandler,
                "NIST.800.53.R5-LambdaConcurrency",
                "NIST.800.53.R5-LambdaDLQ",
                "NIST.800.53.R5-LambdaInsideVPC",
                "HIPAA.Security-LambdaConcurrency",
                "HIPAA.Security-LambdaDLQ",
                "HIPAA.Security-LambdaInsideVPC",
                "PCI.DSS.321-LambdaInsideVPC");
            ControlTowerAcknowledgement.Add(handler, deployTimeHandler, "CT.LAMBDA.PR.3");
        }
    }

    private static void Validate(PrivateNetworkProps props)
    {
        var zones = props.AvailabilityZones ?? Array.Empty<string>();
        var zonesText = string.Join(",", zones);
        if (zones.Count < 2 || zones.Count > 6 || zones.Distinct().Count() != zones.Count || zones.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidSettingException("availabilityZones", zonesText, "two to six distinct availability zone names of the stack's region (an RDS subnet group needs two)");
        }

        if (props.NatGateways < 0 || props.NatGateways > zones.Count)
        {
            throw new InvalidSettingException("natGateways", props.NatGateways.ToString(), $"0 to {zones.Count} (at most one per availability zone)");
        }

        var parts = props.Cidr?.Split('/') ?? Array.Empty<string>();
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var prefix) || prefix < 16 || prefix > 18)
        {
            throw new InvalidSettingException("vpcCidr", props.Cidr, "an IPv4 CIDR with a prefix from /16 to /18 (room for three tiers in up to six zones), e.g. 10.0.0.0/16");
        }
    }
}
