using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using RdsStack.App;
using RdsStack.Library;
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

    /// <summary>What the committed config/access.json gives a shared environment.</summary>
    internal static EnvironmentAccess Committed(string environment) =>
        AccessConfiguration.Load(CdkJson.ConfigDir, EnvironmentPresets.Shared.Select(e => e.Name).ToArray()).For(environment);

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Ssh_ingress_is_exactly_the_environments_operator_networks(string stack)
    {
        var template = app[stack];
        var rules = template.IngressRules().Where(r => r.GroupId == BastionGroup(template)).Select(r => r.Rule).ToList();
        Assert.All(rules, r => Assert.Equal(22, (int)r["FromPort"]!));
        Assert.All(rules, r => Assert.Equal(22, (int)r["ToPort"]!));
        var expected = stack == "RdsStack-sandbox-alice"
            ? new[] { SynthesizedApp.OperatorIpv4, SynthesizedApp.OperatorIpv6 }
            : Committed(stack["RdsStack-".Length..]).OperatorCidrs.Select(c => c.Text).ToArray();
        Assert.Equal(expected.Order(), rules.Select(r => (string?)r["CidrIp"] ?? (string)r["CidrIpv6"]!).Order());
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

    [Fact]
    public void A_sandbox_without_operator_cidrs_has_no_ssh_rule_and_a_warning_says_how_to_add_one()
    {
        const string stack = "RdsStack-sandbox-alice";
        var template = noOperators[stack];
        Assert.DoesNotContain(template.IngressRules(), r => r.GroupId == BastionGroup(template));
        Annotations.FromStack(noOperators.Stacks[stack]).HasWarning("/" + stack + "/Bastion", Match.StringLikeRegexp("No SSH to this sandbox.*-c operatorCidrs="));
        // One warning with the sandbox's own fix, not the library's generic one as well.
        Annotations.FromStack(noOperators.Stacks[stack]).HasNoWarning("*", Match.StringLikeRegexp("admits no SSH"));
    }

    [Fact]
    public void Prod_with_nobody_listed_says_at_synth_that_session_manager_is_the_only_way_in()
    {
        Assert.Empty(Committed("prod").Operators);
        var annotations = Annotations.FromStack(app.Stacks["RdsStack-prod"]);
        annotations.HasInfo("/RdsStack-prod/Bastion", Match.StringLikeRegexp("no named operators in .*access.json.*only through Session Manager port forwarding"));
        // Intended by configuration, so said as info and the library's warning is acknowledged: a default synth warns of nothing.
        annotations.HasNoWarning("*", Match.StringLikeRegexp("admits no SSH"));
        Assert.DoesNotContain("AllowUsers", app["RdsStack-prod"].UserDataText());
        Assert.Contains("DenyUsers *", app["RdsStack-prod"].UserDataText().Split('\n'));
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    [InlineData("RdsStack-sandbox-alice")]
    public void With_networks_and_logins_there_is_no_warning(string stack)
    {
        Annotations.FromStack(app.Stacks[stack]).HasNoWarning("*", Match.StringLikeRegexp("admits no SSH"));
    }

    [Fact]
    public void An_ipv6_operator_network_is_admitted_with_a_warning_that_the_bastion_is_ipv4_only()
    {
        Annotations.FromStack(app.Stacks["RdsStack-sandbox-alice"]).HasWarning("/RdsStack-sandbox-alice/Bastion", Match.StringLikeRegexp("reachable over IPv4 only"));
        Annotations.FromStack(noOperators.Stacks["RdsStack-sandbox-alice"]).HasNoWarning("*", Match.StringLikeRegexp("reachable over IPv4 only"));
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
        Assert.Equal(template.EnvironmentKeyId(), root["Ebs"]!["KmsKeyId"].RefTarget());
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    [InlineData("RdsStack-prod")]
    public void Shared_environments_have_no_shared_key_pair_and_no_private_key_to_fetch(string stack)
    {
        var template = app[stack];
        Assert.Empty(template.Resources("AWS::EC2::KeyPair"));
        Assert.Null(template.Single("AWS::EC2::Instance").Resource.Props()["KeyName"]);
        Assert.Null(template.Output("BastionPrivateKeyParameter"));
        Assert.Null(template.Output("BastionFetchKeyCommand"));
        Assert.DoesNotContain("ec2-user", template.Output("BastionSshTunnelCommand"));
        Assert.DoesNotContain("AllowUsers ec2-user", template.UserDataText());
    }

    [Fact]
    public void A_sandbox_gets_a_key_pair_created_by_the_stack_for_ec2_user()
    {
        var template = app["RdsStack-sandbox-alice"];
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

    private static (string RoleId, List<JsonObject> Statements) BastionRole(JsonObject template)
    {
        var profile = template.Resource(template.Single("AWS::EC2::Instance").Resource.Props()["IamInstanceProfile"].RefTarget()!).Props();
        var roleId = profile["Roles"]![0].RefTarget()!;
        var statements = template.PolicyStatements(roleId).Select(s => s.Statement).ToList();
        foreach (var (_, policy) in template.Resources("AWS::IAM::ManagedPolicy").Where(p => p.Resource.Props()["Roles"]?.AsArray().Any(r => r.RefTarget() == roleId) ?? false))
        {
            statements.AddRange(policy.Props()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()));
        }

        return (roleId, statements);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_instance_role_has_only_the_session_manager_agent_channels_and_its_host_keys_parameter(string stack)
    {
        var template = app[stack];
        var (roleId, statements) = BastionRole(template);
        Assert.Null(template.Resource(roleId).Props()["ManagedPolicyArns"]);
        Assert.Null(template.Resource(roleId).Props()["Policies"]);
        Assert.Empty(template.PolicyStatements(roleId));
        Assert.All(statements, s => Assert.Equal("Allow", s["Effect"].Str()));
        var agent = Assert.Single(statements, s => s["Resource"].Str() == "*");
        Assert.Equal(
            new[] { "ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel" },
            agent["Action"]!.AsArray().Select(a => (string)a!).Order());
        var publish = Assert.Single(statements, s => s["Resource"].Str() != "*");
        Assert.Equal("ssm:PutParameter", publish["Action"].Str());
        Assert.Equal(HostKeysParameter(template, stack).Id, publish["Resource"]!["Fn::Join"]![1]!.AsArray().Last().RefTarget());
        Assert.Equal(2, statements.Count);
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
    public void The_bastion_role_can_read_no_parameter_at_all(string stack)
    {
        var (_, statements) = BastionRole(app[stack]);
        Assert.DoesNotContain(statements, s => s["Action"].AsList().Any(a => a.Str()!.StartsWith("ssm:GetParameter", StringComparison.Ordinal) || a.Str()!.EndsWith('*')));
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
        Assert.Contains(stack.Contains("sandbox", StringComparison.Ordinal) ? "ec2-user@ec2-" : "YOUR_OPERATOR_NAME@ec2-", tunnel);
        var psql = template.Output("PsqlCommand")!;
        Assert.Contains("hostaddr=127.0.0.1", psql);
        Assert.Contains("sslmode=verify-full", psql);
        Assert.Contains("sslrootcert=eu-west-1-bundle.pem", psql);
        Assert.Contains($"--document-name \",{{\"Ref\":\"{template.Single("AWS::SSM::Document").Id}\"}}", template.Output("SessionManagerTunnelCommand"));
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

    private static JsonObject SynthOne(string name, EnvironmentSettings settings, DeploymentContext deployment)
    {
        var stack = new EnvironmentStack(CdkJson.NewApp(), name, new EnvironmentStackProps
        {
            Operations = CdkJson.Operations,
            Settings = settings,
            Deployment = deployment,
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        return Template.FromStack(stack).ToJson();
    }

    internal static DeploymentContext WithAccessFile(string json)
    {
        var directory = Directory.CreateTempSubdirectory("rdsstack-access-").FullName;
        File.WriteAllText(Path.Combine(directory, AccessConfiguration.FileName), json);
        return DeploymentContext.Read(key => key == DeploymentContext.ConfigDirKey ? directory : null);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Sshd_is_tunnel_only_for_every_login(string stack)
    {
        var lines = app[stack].UserDataText().Split('\n');
        foreach (var line in new[]
        {
            "PermitTTY no", "ForceCommand /sbin/nologin", "X11Forwarding no", "AllowAgentForwarding no", "AllowStreamLocalForwarding no",
            "PermitTunnel no", "GatewayPorts no", "PermitUserRC no", "AuthenticationMethods publickey", "AuthorizedKeysCommand none",
            "PermitRootLogin no", "PasswordAuthentication no",
        })
        {
            Assert.Contains(line, lines);
        }

        // Nothing later in the drop-in may re-enable what is switched off above (sshd keeps the first value).
        var dropIn = lines.SkipWhile(l => !l.StartsWith("cat > /etc/ssh/sshd_config.d/", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l != "SSHD").ToList();
        Assert.Equal(dropIn.Count, dropIn.Select(l => l.Split(' ')[0]).Distinct().Count());
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    public void Each_named_operator_gets_a_login_with_only_their_own_key_restricted_to_the_database(string stack)
    {
        var lines = app[stack].UserDataText().Split('\n');
        var operators = Committed(stack["RdsStack-".Length..]).Operators;
        Assert.NotEmpty(operators);
        Assert.Contains($"AllowUsers {string.Join(' ', operators.Select(o => o.Name))}", lines);
        foreach (var person in operators)
        {
            Assert.Contains($"id -u {person.Name} >/dev/null 2>&1 || useradd --create-home --shell /sbin/nologin --password '*' --comment 'RdsStack operator' {person.Name}", lines);
            var key = Assert.Single(lines, l => l.Contains($"> /etc/ssh/authorized_keys/{person.Name}", StringComparison.Ordinal));
            Assert.Contains($"'restrict,port-forwarding,permitopen=\"{{DatabaseInstanceAA8A5FDE.Endpoint.Address}}:5432\" {person.KeyWithoutComment} {person.Name}'", key);
        }

        var metadata = app[stack].Single("AWS::EC2::Instance").Resource["Metadata"]!["RdsStack::Operators"]!.AsArray();
        Assert.Equal(operators.Select(o => (o.Name, o.Fingerprint)), metadata.Select(m => ((string)m!["name"]!, (string)m["fingerprint"]!)));
    }

    [Fact]
    public void Fingerprints_match_ssh_keygen()
    {
        // ssh-keygen -lf on this public key prints SHA256:5M0ZDq10PAcbOs+EHE8wrcmt1IZCnOY0HldhB7DmbZE (checked with OpenSSH 9).
        var person = BastionOperator.Create("test", "amara", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3jt+bkHtuWt9DXr+8IYwJD/O6YCB4YGJM6FyUJqhj/ amara@laptop");
        Assert.Equal("SHA256:5M0ZDq10PAcbOs+EHE8wrcmt1IZCnOY0HldhB7DmbZE", person.Fingerprint);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void No_login_keeps_sudo_and_ssm_user_is_created_without_it(string stack)
    {
        var lines = app[stack].UserDataText().Split('\n');
        Assert.Contains("rm -f /etc/sudoers.d/90-cloud-init-users", lines);
        Assert.Contains("if id -nG ec2-user | grep -qw wheel; then gpasswd -d ec2-user wheel; fi", lines);
        Assert.Contains("id -u ssm-user >/dev/null 2>&1 || useradd --create-home --shell /sbin/nologin ssm-user", lines);
        Assert.DoesNotContain(lines, l => l.Contains("NOPASSWD", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_instance_publishes_its_host_keys_to_the_one_parameter_the_stack_creates(string stack)
    {
        var template = app[stack];
        var (_, parameter) = HostKeysParameter(template, stack);
        Assert.Equal($"/rdsstack/{stack}/bastion/host-keys", parameter.Props()["Name"].Str());
        Assert.Equal("pending", parameter.Props()["Value"].Str());
        Assert.Equal("String", parameter.Props()["Type"].Str());
        var lines = template.UserDataText().Split('\n');
        Assert.Contains("host_keys=$(for f in /etc/ssh/ssh_host_*_key.pub; do cut -d' ' -f1,2 \"$f\"; done)", lines);
        Assert.Contains(lines, l => l.Contains($"aws ssm put-parameter --region eu-west-1 --name /rdsstack/{stack}/bastion/host-keys --type String --overwrite --value \"$host_keys\"", StringComparison.Ordinal));
        // The permission to write it is attached before the instance first boots.
        var agentPolicy = template.Resources("AWS::IAM::ManagedPolicy").Single(p => p.Id.StartsWith("BastionAgentPolicy", StringComparison.Ordinal)).Id;
        Assert.Contains(template.Single("AWS::EC2::Instance").Resource["DependsOn"]!.AsArray(), d => d.Str() == agentPolicy);
        Assert.Equal($"\"/rdsstack/{stack}/bastion/host-keys\"", template.Output("BastionHostKeysParameter"));
        Assert.Contains("ssh-keygen -lf -", template.Output("BastionHostKeyFingerprintsCommand"));
        Assert.Contains("known_hosts", template.Output("BastionKnownHostsCommand"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_session_manager_document_forwards_to_the_database_port_only(string stack)
    {
        var document = app[stack].Single("AWS::SSM::Document").Resource.Props();
        Assert.Equal("Session", document["DocumentType"].Str());
        var content = document["Content"]!;
        Assert.Equal("Port", content["sessionType"].Str());
        Assert.Equal("DatabaseInstanceAA8A5FDE", content["properties"]!["host"].RefTarget());
        Assert.Equal("5432", content["properties"]!["portNumber"].Str());
        Assert.Equal(new[] { "localPortNumber" }, content["parameters"]!.AsObject().Select(p => p.Key));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_instance_has_no_public_address_of_its_own_and_detailed_monitoring(string stack)
    {
        var template = app[stack];
        var instance = template.Single("AWS::EC2::Instance").Resource.Props();
        Assert.Null(instance["SubnetId"]);
        Assert.Null(instance["SecurityGroupIds"]);
        var eni = Assert.Single(instance["NetworkInterfaces"]!.AsArray())!;
        Assert.False((bool)eni["AssociatePublicIpAddress"]!);
        Assert.Equal("0", eni["DeviceIndex"].Str());
        Assert.Equal(BastionGroup(template), Assert.Single(eni["GroupSet"]!.AsArray()).RefTarget());
        Assert.NotNull(eni["SubnetId"].RefTarget());
        // Detailed monitoring is the preset's choice (off where nobody reads the bastion's graphs), on the instance and
        // its launch template alike.
        var expected = EnvironmentPresets.All.Single(p => stack.StartsWith($"RdsStack-{p.Name}", StringComparison.Ordinal)).BastionDetailedMonitoring;
        Assert.Equal(expected, (bool)instance["Monitoring"]!);
        Assert.Equal(expected, (bool?)template.Single("AWS::EC2::LaunchTemplate").Resource.Props()["LaunchTemplateData"]!["Monitoring"]?["Enabled"] ?? false);
    }

    [Fact]
    public void Detailed_monitoring_is_a_setting_a_preset_may_turn_off()
    {
        var template = SynthOne("RdsStack-nomonitoring", EnvironmentPresets.Sandbox with { BastionDetailedMonitoring = false }, DeploymentContext.Read(_ => null));
        Assert.False((bool)template.Single("AWS::EC2::Instance").Resource.Props()["Monitoring"]!);
        Assert.Null(template.Single("AWS::EC2::LaunchTemplate").Resource.Props()["LaunchTemplateData"]!["Monitoring"]);
    }

    [Fact]
    public void Changing_the_operator_list_replaces_the_instance_and_the_elastic_ip_follows()
    {
        const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBc26TFUTb12N37rj33wi/i4LF+EG4yWTgFG1rnIqSM mei@laptop";
        var before = SynthOne("RdsStack-dev", EnvironmentPresets.Dev, WithAccessFile("{\"dev\": {\"operatorCidrs\": [\"192.0.2.0/24\"], \"operators\": []}}"));
        var after = SynthOne("RdsStack-dev", EnvironmentPresets.Dev, WithAccessFile($"{{\"dev\": {{\"operatorCidrs\": [\"192.0.2.0/24\"], \"operators\": [{{\"name\": \"mei\", \"publicKey\": \"{key}\"}}]}}}}"));
        var (beforeId, _) = before.Single("AWS::EC2::Instance");
        var (afterId, _) = after.Single("AWS::EC2::Instance");
        Assert.NotEqual(beforeId, afterId);
        static (string Id, JsonObject Resource) BastionAddress(JsonObject template) => template.Resources("AWS::EC2::EIP").Single(e => e.Resource.Props()["InstanceId"] is not null);
        Assert.Equal(afterId, BastionAddress(after).Resource.Props()["InstanceId"].RefTarget());
        Assert.Equal(BastionAddress(before).Id, BastionAddress(after).Id);
    }

    private static Exception BastionWith(Func<BastionHostProps, BastionHostProps> change)
    {
        var stack = new Amazon.CDK.Stack(CdkJson.NewApp(), "Bare", new Amazon.CDK.StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1" } });
        var key = new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = "bare" });
        var network = new PrivateNetwork(stack, "Network", new PrivateNetworkProps { AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" }, EncryptionKey = key.Key });
        var database = new PostgresDatabase(stack, "Database", new PostgresDatabaseProps { Vpc = network.Vpc, VpcSubnets = network.DatabaseSubnets, EncryptionKey = key.Key, InstanceIdentifier = "bare" });
        var props = new BastionHostProps { Vpc = network.Vpc, VpcSubnets = network.PublicSubnets, Database = database, EncryptionKey = key.Key };
        return Assert.ThrowsAny<Exception>(() => new BastionHost(stack, "Bastion", change(props)));
    }

    [Fact]
    public void Bad_bastion_props_are_refused_naming_the_prop()
    {
        const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3jt+bkHtuWt9DXr+8IYwJD/O6YCB4YGJM6FyUJqhj/ amara@laptop";
        var amara = BastionOperator.Create("operators[0]", "amara", key);
        Assert.Equal("publicKeyMaterial", Assert.IsType<InvalidSettingException>(BastionWith(p => new BastionHostProps { Vpc = p.Vpc, VpcSubnets = p.VpcSubnets, Database = p.Database, EncryptionKey = p.EncryptionKey, PublicKeyMaterial = key })).Setting);
        Assert.Equal("operators", Assert.IsType<InvalidSettingException>(BastionWith(p => new BastionHostProps { Vpc = p.Vpc, VpcSubnets = p.VpcSubnets, Database = p.Database, EncryptionKey = p.EncryptionKey, Operators = new[] { amara, amara } })).Setting);
        Assert.Equal("hostKeysParameterName", Assert.IsType<InvalidSettingException>(BastionWith(p => new BastionHostProps { Vpc = p.Vpc, VpcSubnets = p.VpcSubnets, Database = p.Database, EncryptionKey = p.EncryptionKey, HostKeysParameterName = "no-leading-slash" })).Setting);
        Assert.Equal("keyPairName", Assert.IsType<InvalidSettingException>(BastionWith(p => new BastionHostProps { Vpc = p.Vpc, VpcSubnets = p.VpcSubnets, Database = p.Database, EncryptionKey = p.EncryptionKey, KeyPairName = "bad name" })).Setting);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("ec2-user")]
    [InlineData("pg_monitor")]
    [InlineData("rdsadmin")]
    [InlineData("dbadmin")]
    [InlineData("1amara")]
    [InlineData("Amara")]
    [InlineData("a23456789012345678901234567890123")]
    [InlineData("eve\n")] // a trailing newline once passed the pattern ('$' matches before it) and broke the user data
    public void Operator_names_that_are_system_logins_or_not_valid_logins_are_refused(string name) =>
        Assert.Equal("p.name", Assert.Throws<InvalidSettingException>(() => BastionOperator.Create("p", name, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3jt+bkHtuWt9DXr+8IYwJD/O6YCB4YGJM6FyUJqhj/ a")).Setting);

    private static (string Id, JsonObject Resource) HostKeysParameter(JsonObject template, string stack) =>
        template.Resources("AWS::SSM::Parameter").Single(p => p.Resource.Props()["Name"].Str() == $"/rdsstack/{stack}/bastion/host-keys");

}
