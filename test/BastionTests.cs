using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using RdsStack.App;
using Xunit;

namespace RdsStack.Tests;

/// <summary>The standard app without operatorCidrs: no SSH at all and a warning.</summary>
public sealed class NoOperatorApp : SynthesizedApp
{
    public NoOperatorApp()
        : base(new Dictionary<string, object> { ["sandbox"] = "alice" })
    {
    }
}

[Collection(StandardAppCollection.Name)]
public sealed class BastionTests : IClassFixture<NoOperatorApp>
{
    private readonly StandardApp app;
    private readonly NoOperatorApp noOperators;

    public BastionTests(StandardApp app, NoOperatorApp noOperators)
    {
        this.app = app;
        this.noOperators = noOperators;
    }

    private static string BastionGroup(JsonObject template) =>
        template.Resources("AWS::EC2::SecurityGroup").Single(g => ((string?)g.Resource.Props()["GroupDescription"] ?? string.Empty).StartsWith("Bastion", StringComparison.Ordinal)).Id;

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Ssh_ingress_is_exactly_the_given_operator_cidrs(string stack)
    {
        var template = app[stack];
        var rules = template.IngressRules().Where(r => r.GroupId == BastionGroup(template)).Select(r => r.Rule).ToList();
        Assert.All(rules, r => Assert.Equal(22, (int)r["FromPort"]!));
        Assert.All(rules, r => Assert.Equal(22, (int)r["ToPort"]!));
        Assert.Equal(new[] { SynthesizedApp.OperatorIpv4 }, rules.Where(r => r["CidrIp"] is not null).Select(r => (string)r["CidrIp"]!));
        Assert.Equal(new[] { SynthesizedApp.OperatorIpv6 }, rules.Where(r => r["CidrIpv6"] is not null).Select(r => (string)r["CidrIpv6"]!));
        Assert.Equal(2, rules.Count);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void No_template_admits_the_whole_internet_anywhere(string stack)
    {
        foreach (var template in new[] { app[stack], noOperators[stack] })
        {
            Assert.All(template.IngressRules(), r =>
            {
                Assert.NotEqual("0.0.0.0/0", (string?)(r.Rule["CidrIp"] as JsonValue));
                Assert.NotEqual("::/0", (string?)(r.Rule["CidrIpv6"] as JsonValue));
            });
        }
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Without_operator_cidrs_there_is_no_ssh_rule_and_a_warning_says_how_to_add_one(string stack)
    {
        var template = noOperators[stack];
        Assert.DoesNotContain(template.IngressRules(), r => r.GroupId == BastionGroup(template));
        Annotations.FromStack(noOperators.Stacks[stack]).HasWarning("/" + stack + "/Bastion", Match.StringLikeRegexp("admits no SSH.*-c operatorCidrs="));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void With_operator_cidrs_there_is_no_warning(string stack)
    {
        Annotations.FromStack(app.Stacks[stack]).HasNoWarning("*", Match.StringLikeRegexp("admits no SSH"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void An_ipv6_operator_network_is_admitted_with_a_warning_that_the_bastion_is_ipv4_only(string stack)
    {
        Annotations.FromStack(app.Stacks[stack]).HasWarning("/" + stack + "/Bastion", Match.StringLikeRegexp("reachable over IPv4 only"));
        Annotations.FromStack(noOperators.Stacks[stack]).HasNoWarning("*", Match.StringLikeRegexp("reachable over IPv4 only"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Egress_goes_only_to_the_database_port_and_https(string stack)
    {
        var template = app[stack];
        var group = BastionGroup(template);
        var databaseGroup = template.Single("AWS::RDS::DBInstance").Resource.Props()["VPCSecurityGroups"]![0].RefTarget();
        var egress = template.EgressRules(group).ToList();
        Assert.Equal(2, egress.Count);
        Assert.Contains(egress, e => (int?)e["FromPort"] == 5432 && (int?)e["ToPort"] == 5432 && e["DestinationSecurityGroupId"].RefTarget() == databaseGroup);
        Assert.Contains(egress, e => (int?)e["FromPort"] == 443 && (int?)e["ToPort"] == 443 && (string?)e["IpProtocol"] == "tcp" && (string?)e["CidrIp"] == "0.0.0.0/0");
        Assert.DoesNotContain(egress, e => (string?)e["IpProtocol"] == "-1");
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Imdsv2_is_required_and_the_root_volume_is_encrypted_gp3_with_the_environment_key(string stack)
    {
        var template = app[stack];
        var (_, instance) = template.Single("AWS::EC2::Instance");
        var (launchTemplateId, launchTemplateResource) = template.Single("AWS::EC2::LaunchTemplate");
        Assert.Contains(launchTemplateId, instance.Props()["LaunchTemplate"]!.ToJsonString());
        var launchTemplate = launchTemplateResource.Props();
        Assert.Equal("required", (string?)launchTemplate["LaunchTemplateData"]!["MetadataOptions"]!["HttpTokens"]);
        var root = instance.Props()["BlockDeviceMappings"]!.AsArray().Single()!;
        Assert.Equal("/dev/xvda", (string?)root["DeviceName"]);
        Assert.True((bool)root["Ebs"]!["Encrypted"]!);
        Assert.Equal("gp3", (string?)root["Ebs"]!["VolumeType"]);
        Assert.Equal(template.Single("AWS::KMS::Key").Id, root["Ebs"]!["KmsKeyId"].RefTarget());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void A_key_pair_created_by_the_stack_is_used_by_the_instance(string stack)
    {
        var template = app[stack];
        var (keyId, keyPair) = template.Single("AWS::EC2::KeyPair");
        Assert.Equal("ed25519", (string?)keyPair.Props()["KeyType"]);
        Assert.Null(keyPair.Props()["PublicKeyMaterial"]);
        Assert.Equal(keyId, template.Single("AWS::EC2::Instance").Resource.Props()["KeyName"].RefTarget());
        Assert.Contains("/ec2/keypair/", template.Output("BastionPrivateKeyParameter"));
        Assert.Contains("umask 077", template.Output("BastionFetchKeyCommand"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Amazon_linux_2023_comes_from_the_public_ssm_parameter_with_no_lookup(string stack)
    {
        var parameters = app[stack]["Parameters"]!.AsObject();
        var image = parameters.Single(p => (string?)p.Value!["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>");
        Assert.Equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64", (string?)image.Value!["Default"]);
        Assert.Equal(image.Key, app[stack].Single("AWS::EC2::Instance").Resource.Props()["ImageId"].RefTarget());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_instance_role_has_only_session_manager(string stack)
    {
        var template = app[stack];
        var (_, instance) = template.Single("AWS::EC2::Instance");
        var profile = template.Resource(instance.Props()["IamInstanceProfile"].RefTarget()!).Props();
        var role = template.Resource(profile["Roles"]![0].RefTarget()!);
        Assert.Equal("[{\"Fn::Join\":[\"\",[\"arn:\",{\"Ref\":\"AWS::Partition\"},\":iam::aws:policy/AmazonSSMManagedInstanceCore\"]]}]", role.Props()["ManagedPolicyArns"]!.ToJsonString());
        var roleId = profile["Roles"]![0].RefTarget();
        Assert.All(template.PolicyStatements(roleId), s => Assert.Equal("Deny", s.Statement["Effect"].Str()));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void First_boot_waits_for_the_elastic_ip_before_installing_security_updates(string stack)
    {
        var userData = app[stack].UserDataText();
        var lines = userData.Split('\n');
        var install = Array.FindIndex(lines, l => l.Contains("dnf -y install dnf-automatic", StringComparison.Ordinal));
        Assert.Matches(@"^for attempt in \$\(seq 1 \d+\); do dnf -y install dnf-automatic && break; sleep \d+; done$", lines[install]);
        Assert.Equal("rpm -q dnf-automatic", lines[install + 1]);
        Assert.Contains("systemctl enable --now dnf-automatic.timer", userData);
        Assert.True(Array.FindIndex(lines, l => l == "PasswordAuthentication no") < install, "sshd is hardened before anything waits for the network");
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Termination_protection_is_off_so_an_image_update_can_remove_the_old_bastion(string stack)
    {
        Assert.False((bool)app[stack].Single("AWS::EC2::Instance").Resource.Props()["DisableApiTermination"]!);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_bastion_role_cannot_read_any_key_pairs_private_key(string stack)
    {
        var template = app[stack];
        var profile = template.Resource(template.Single("AWS::EC2::Instance").Resource.Props()["IamInstanceProfile"].RefTarget()!).Props();
        var roleId = profile["Roles"]![0].RefTarget();
        var deny = template.PolicyStatements(roleId).Select(s => s.Statement).Single(s => s["Effect"].Str() == "Deny");
        Assert.Contains("ssm:GetParameter", deny["Action"]!.ToJsonString());
        Assert.Contains(":parameter/ec2/keypair/*", deny["Resource"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Sshd_forwards_only_to_the_database_and_updates_follow_the_latest_release(string stack)
    {
        var lines = app[stack].UserDataText().Split('\n');
        Assert.Contains("PermitOpen {DatabaseInstanceAA8A5FDE.Endpoint.Address}:5432", lines);
        Assert.Contains("AllowTcpForwarding local", lines);
        Assert.Contains("echo latest > /etc/dnf/vars/releasever", lines);
    }

    [Fact]
    public void No_fixed_physical_name_is_shared_by_two_stacks()
    {
        var names = new[] { "LaunchTemplateName", "KeyName", "DBInstanceIdentifier", "LogGroupName", "AliasName", "RoleName", "GroupName" };
        var seen = new Dictionary<string, string>();
        foreach (var stack in StandardApp.StackNames)
        {
            foreach (var (id, resource) in app[stack].Resources())
            {
                foreach (var property in names)
                {
                    if (resource.Props()[property].Str() is { } name)
                    {
                        var key = $"{resource["Type"]}/{name}";
                        Assert.False(seen.TryGetValue(key, out var other), $"{stack}/{id} and {other} both name a {resource["Type"]} '{name}': the second deploy in one account would fail");
                        seen[key] = $"{stack}/{id}";
                    }
                }
            }
        }

        Assert.Contains(seen.Keys, k => k.StartsWith("AWS::EC2::LaunchTemplate/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void An_elastic_ip_keeps_the_address_across_image_replacements(string stack)
    {
        var template = app[stack];
        var (instanceId, instance) = template.Single("AWS::EC2::Instance");
        var (eipId, eip) = template.Resources("AWS::EC2::EIP").Single(e => e.Resource.Props()["InstanceId"].RefTarget() == instanceId);
        // Both wait for a default route to the internet gateway, which itself waits for the gateway's attachment.
        var gatewayAttachment = template.Single("AWS::EC2::VPCGatewayAttachment").Id;
        bool WaitsForTheAttachedGateway(JsonObject resource) => resource["DependsOn"]!.AsArray().Select(d => (string)d!)
            .Any(d => (string?)template.Resource(d)["Type"] == "AWS::EC2::Route"
                && template.Resource(d).Props()["GatewayId"] is not null
                && template.Resource(d)["DependsOn"]!.AsArray().Any(x => (string?)x == gatewayAttachment));
        Assert.True(WaitsForTheAttachedGateway(eip), $"{eipId} can be created before the internet gateway is attached");
        Assert.True(WaitsForTheAttachedGateway(instance), $"{instanceId} can boot before the public route exists");
        Assert.Contains("compute.amazonaws.com", template.Output("BastionPublicDnsName"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Outputs_walk_a_developer_to_psql_with_verify_full(string stack)
    {
        var template = app[stack];
        var tunnel = template.Output("BastionSshTunnelCommand")!;
        Assert.Contains("ssh -i ~/.ssh/", tunnel);
        Assert.Contains("-N -L 5432:", tunnel);
        Assert.Contains("Endpoint.Address", tunnel);
        Assert.Contains("ec2-user@ec2-", tunnel);
        var psql = template.Output("PsqlCommand")!;
        Assert.Contains("hostaddr=127.0.0.1", psql);
        Assert.Contains("sslmode=verify-full", psql);
        Assert.Contains("sslrootcert=eu-west-1-bundle.pem", psql);
        Assert.Contains("AWS-StartPortForwardingSessionToRemoteHost", template.Output("SessionManagerTunnelCommand"));
        Assert.Contains("truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem", template.Output("DatabaseCaBundleUrl"));
    }

    [Fact]
    public void A_preset_without_a_bastion_has_no_instance_no_key_and_no_ssh_rule()
    {
        var scope = CdkJson.NewApp();
        var stack = new EnvironmentStack(scope, "RdsStack-nobastion", new EnvironmentStackProps
        {
            Settings = EnvironmentPresets.Sandbox with { BastionEnabled = false },
            Deployment = DeploymentContext.Read(key => key == "operatorCidrs" ? SynthesizedApp.OperatorIpv4 : null),
            Operations = CdkJson.Operations,
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        var template = Template.FromStack(stack);
        template.ResourceCountIs("AWS::EC2::Instance", 0);
        template.ResourceCountIs("AWS::EC2::KeyPair", 0);
        var json = template.ToJson();
        Assert.DoesNotContain(json.IngressRules(), r => (int?)(r.Rule["FromPort"] as JsonValue) == 22);
        Assert.Null(json.Output("BastionSshTunnelCommand"));
    }

    [Fact]
    public void An_imported_public_key_means_no_private_key_in_aws()
    {
        const string publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsVxk0VmX2WzLhYkmVvJ1c1k7pXQ2m0Qe1n3l5Rkq3T alice@laptop";
        var scope = CdkJson.NewApp();
        var stack = new EnvironmentStack(scope, "RdsStack-imported", new EnvironmentStackProps
        {
            Settings = EnvironmentPresets.Sandbox,
            Deployment = DeploymentContext.Read(key => key == "bastionPublicKey" ? publicKey : null),
            Operations = CdkJson.Operations,
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        var json = Template.FromStack(stack).ToJson();
        var keyPair = json.Single("AWS::EC2::KeyPair").Resource.Props();
        Assert.Equal(publicKey, (string?)keyPair["PublicKeyMaterial"]);
        // A different key material gets a different name, so switching keys can replace the key pair.
        Assert.StartsWith("rdsstack-imported-bastion-", (string?)keyPair["KeyName"]);
        Assert.NotEqual((string?)keyPair["KeyName"], app["RdsStack-sandbox-alice"].Single("AWS::EC2::KeyPair").Resource.Props()["KeyName"].Str()!.Replace("rdsstack-sandbox-alice", "rdsstack-imported"));
        Assert.Null(json.Output("BastionPrivateKeyParameter"));
        Assert.Contains("ssh -i ~/.ssh/id_ed25519", json.Output("BastionSshTunnelCommand"));
    }
}
