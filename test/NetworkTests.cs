using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

[Collection(StandardAppCollection.Name)]
public sealed class NetworkTests
{
    private readonly StandardApp app;

    public NetworkTests(StandardApp app) => this.app = app;

    public static TheoryData<string, int, int> Topology => new()
    {
        // stack, availability zones, NAT gateways
        { "RdsStack-dev", 2, 0 },
        { "RdsStack-staging", 3, 1 },
        { "RdsStack-prod", 3, 3 },
        { "RdsStack-sandbox-alice", 2, 0 },
    };

    [Theory]
    [MemberData(nameof(Topology))]
    public void Each_tier_has_one_subnet_per_availability_zone(string stack, int zones, int _)
    {
        var subnets = app[stack].Resources("AWS::EC2::Subnet").Select(s => s.Resource).ToList();
        foreach (var tier in new[] { "Public", "App", "Database" })
        {
            var inTier = subnets.Where(s => Tag(s, "aws-cdk:subnet-name") == tier).ToList();
            Assert.Equal(zones, inTier.Count);
            Assert.Equal(zones, inTier.Select(s => (string?)s.Props()["AvailabilityZone"]).Distinct().Count());
        }

        Assert.Equal(3 * zones, subnets.Count);
    }

    [Theory]
    [MemberData(nameof(Topology))]
    public void Availability_zones_are_explicit_so_synthesis_needs_no_lookup(string stack, int zones, int _)
    {
        var azs = app[stack].Resources("AWS::EC2::Subnet").Select(s => s.Resource.Props()["AvailabilityZone"]).ToList();
        Assert.All(azs, az => Assert.Matches("^eu-west-1[a-c]$", (string?)az));
        Assert.Equal(zones, azs.Select(a => (string?)a).Distinct().Count());
        var manifest = File.ReadAllText(Path.Combine(app.OutDir, "manifest.json"));
        Assert.DoesNotContain("\"missing\"", manifest);
    }

    [Theory]
    [MemberData(nameof(Topology))]
    public void Nat_gateway_count_follows_the_preset(string stack, int _, int nat)
    {
        Assert.Equal(nat, app[stack].Resources("AWS::EC2::NatGateway").Count());
    }

    [Theory]
    [MemberData(nameof(Topology))]
    public void Database_tier_is_isolated_and_app_tier_reaches_the_internet_only_through_nat(string stack, int _, int nat)
    {
        var template = app[stack];
        var routes = template.Resources("AWS::EC2::Route").Select(r => r.Resource.Props()).ToList();
        string TierOfRouteTable(string routeTableId)
        {
            var association = template.Resources("AWS::EC2::SubnetRouteTableAssociation")
                .First(a => a.Resource.Props()["RouteTableId"].RefTarget() == routeTableId).Resource;
            return Tag(template.Resource(association.Props()["SubnetId"].RefTarget()!), "aws-cdk:subnet-name")!;
        }

        var byTier = routes.Where(r => (string?)r["DestinationCidrBlock"] == "0.0.0.0/0")
            .GroupBy(r => TierOfRouteTable(r["RouteTableId"].RefTarget()!))
            .ToDictionary(g => g.Key, g => g.ToList());

        Assert.False(byTier.ContainsKey("Database"), "the database tier must have no default route");
        Assert.All(byTier["Public"], r => Assert.NotNull(r["GatewayId"]));
        if (nat == 0)
        {
            Assert.False(byTier.ContainsKey("App"), "without NAT the app tier must be isolated");
        }
        else
        {
            Assert.All(byTier["App"], r => Assert.NotNull(r["NatGatewayId"]));
        }
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Public_subnets_do_not_hand_out_public_addresses(string stack)
    {
        Assert.All(app[stack].Resources("AWS::EC2::Subnet"), s => Assert.False((bool?)s.Resource.Props()["MapPublicIpOnLaunch"] ?? false));
    }

    [Theory]
    [InlineData("RdsStack-dev", 30)]
    [InlineData("RdsStack-staging", 90)]
    [InlineData("RdsStack-prod", 365)]
    [InlineData("RdsStack-sandbox-alice", 7)]
    public void Flow_logs_capture_all_traffic_into_a_kms_encrypted_log_group_with_retention(string stack, int days)
    {
        var template = app[stack];
        var (_, flowLog) = template.Single("AWS::EC2::FlowLog");
        Assert.Equal("ALL", (string?)flowLog.Props()["TrafficType"]);
        Assert.Equal("cloud-watch-logs", (string?)flowLog.Props()["LogDestinationType"]);
        Assert.Equal(template.Single("AWS::EC2::VPC").Id, flowLog.Props()["ResourceId"].RefTarget());
        var logGroup = template.Resource(flowLog.Props()["LogGroupName"].RefTarget()!);
        Assert.Equal(days, (int?)logGroup.Props()["RetentionInDays"]);
        Assert.Equal(template.EnvironmentKeyId(), logGroup.Props()["KmsKeyId"].RefTarget());
    }

    [Theory]
    [MemberData(nameof(Topology))]
    public void S3_is_reached_through_a_gateway_endpoint_from_the_private_tiers(string stack, int zones, int _)
    {
        var template = app[stack];
        var (_, endpoint) = template.Single("AWS::EC2::VPCEndpoint");
        Assert.Equal("Gateway", (string?)endpoint.Props()["VpcEndpointType"]);
        Assert.Contains(".s3", endpoint.Props()["ServiceName"]!.ToJsonString());
        Assert.Equal(2 * zones, endpoint.Props()["RouteTableIds"]!.AsArray().Count);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_default_security_group_is_stripped_of_all_rules(string stack)
    {
        var template = app[stack];
        var (_, restrict) = template.Single("Custom::VpcRestrictDefaultSG");
        Assert.Equal(template.Single("AWS::EC2::VPC").Id, restrict.Props()["DefaultSecurityGroupId"].RefTarget());
    }

    private static string? Tag(JsonObject resource, string key) =>
        resource.Props()["Tags"]?.AsArray().FirstOrDefault(t => (string?)t!["Key"] == key)?["Value"]?.GetValue<string>();
}
