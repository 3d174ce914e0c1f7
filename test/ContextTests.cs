using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>The context contract: every key parsed and validated in one place, with one clear message.</summary>
public sealed class ContextTests
{
    private static DeploymentContext Read(params (string Key, object Value)[] values)
    {
        var context = values.ToDictionary(v => v.Key, v => v.Value);
        return DeploymentContext.Read(key => context.TryGetValue(key, out var value) ? value : null);
    }

    private static InvalidSettingException Refused(string key, object value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Read((key, value)));
        Assert.StartsWith($"Invalid setting '{key}'", error.Message);
        Assert.Contains("Allowed:", error.Message);
        return error;
    }

    [Fact]
    public void Nothing_given_means_no_sandbox_no_operators_no_accounts()
    {
        var context = Read();
        Assert.Null(context.Sandbox);
        Assert.Empty(context.OperatorCidrs);
        Assert.Null(context.AccountFor("prod"));
        Assert.Null(context.AppSecurityGroupIdFor("dev"));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("bob-2")]
    [InlineData("a")]
    [InlineData("abcdefghij0123456789")]
    public void Valid_sandbox_names_are_accepted(string name) => Assert.Equal(name, Read(("sandbox", name)).Sandbox);

    [Theory]
    [InlineData("Bad_Name!")]
    [InlineData("Alice")]
    [InlineData("2fast")]
    [InlineData("-alice")]
    [InlineData("alice-")]
    [InlineData("al--ice")]
    [InlineData("abcdefghij0123456789x")]
    [InlineData("")]
    public void Bad_sandbox_names_are_refused_naming_the_key_and_value(string name)
    {
        var error = Refused("sandbox", name);
        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("lowercase letters", error.Message);
    }

    [Fact]
    public void Operator_cidrs_accept_ipv4_and_ipv6_lists_and_normalise_them()
    {
        var cidrs = Read(("operatorCidrs", "203.0.113.7/32, 198.51.100.0/24,2001:DB8:1234::/48")).OperatorCidrs;
        Assert.Equal(new[] { "203.0.113.7/32", "198.51.100.0/24", "2001:db8:1234::/48" }, cidrs.Select(c => c.Text));
        Assert.Equal(new[] { false, false, true }, cidrs.Select(c => c.IsIpv6));
    }

    [Fact]
    public void Operator_cidrs_may_be_a_json_array_in_cdk_json()
    {
        var cidrs = Read(("operatorCidrs", new object[] { "203.0.113.7/32", "2001:db8::/64" })).OperatorCidrs;
        Assert.Equal(2, cidrs.Count);
    }

    [Theory]
    [InlineData("not-a-cidr", "IPv4 CIDR")]
    [InlineData("0.0.0.0/0", "not the whole internet")]
    [InlineData("::/0", "not the whole internet")]
    [InlineData("10.0.0.0/8", "/24 or longer")]
    [InlineData("198.51.100.0/23", "/24 or longer")]
    [InlineData("2001:db8::/47", "/48 or longer")]
    [InlineData("203.0.113.7/24", "did you mean 203.0.113.0/24")]
    [InlineData("203.0.113.7", "IPv4 CIDR")]
    [InlineData("203.0.113.7/33", "IPv4 CIDR")]
    [InlineData("10.1/32", "IPv4 CIDR")]
    [InlineData("203.0.113.7/32,203.0.113.7/32", "appears more than once")]
    [InlineData("203.0.113.7/32,", "IPv4 CIDR")]
    public void Bad_operator_cidrs_are_refused_with_the_reason(string value, string reason)
    {
        var error = Refused("operatorCidrs", value);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void An_account_without_a_suffix_is_the_sandboxs_only()
    {
        var context = Read(("account", "111111111111"));
        Assert.Equal("111111111111", context.AccountFor("sandbox"));
        Assert.Null(context.AccountFor("dev"));
        Assert.Null(context.AccountFor("prod"));
    }

    [Theory]
    [InlineData("account.prod", "222222222222")]
    [InlineData("account.dev", "222222222222")]
    [InlineData("region.staging", "eu-west-2")]
    [InlineData("appSecurityGroupId.prod", "sg-0123456789abcdef0")]
    public void Placement_and_app_group_of_a_shared_environment_are_refused_on_the_command_line(string key, string value)
    {
        var error = Refused(key, value);
        Assert.Contains("accounts.json", error.Allowed);
        Assert.Contains("reviewed commit", error.Allowed);
    }

    [Theory]
    [InlineData("account", "12345")]
    [InlineData("account.sandbox", "12345678901a")]
    public void Bad_accounts_are_refused(string key, string value) => Refused(key, value);

    [Theory]
    [InlineData("region", "Europe")]
    [InlineData("region.sandbox", "eu-west")]
    public void Bad_regions_are_refused(string key, string value) => Assert.Contains("region name", Refused(key, value).Allowed);

    [Fact]
    public void An_app_security_group_on_the_command_line_is_the_sandboxs_only()
    {
        var context = Read(("appSecurityGroupId", "sg-0123456789abcdef0"));
        Assert.Equal("sg-0123456789abcdef0", context.AppSecurityGroupIdFor("sandbox"));
        Assert.Null(context.AppSecurityGroupIdFor("dev"));
        Assert.Null(context.AppSecurityGroupIdFor("prod"));
    }

    [Theory]
    [InlineData("appSecurityGroupId", "sg-123")]
    [InlineData("appSecurityGroupId", "0123456789abcdef0")]
    [InlineData("appSecurityGroupId", "sg-0123456789ABCDEF0")]
    [InlineData("appSecurityGroupId.sandbox", "sg-xyz45678")]
    public void Bad_app_security_group_ids_are_refused(string key, string value)
    {
        var error = Refused(key, value);
        Assert.Contains("sg-", error.Allowed);
    }

    [Theory]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7")]
    [InlineData("ssh-ed25519 short")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----")]
    public void Bad_bastion_public_keys_are_refused(string value) => Refused("bastionPublicKey", value);

    [Fact]
    public void An_ed25519_public_key_is_accepted()
    {
        const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsVxk0VmX2WzLhYkmVvJ1c1k7pXQ2m0Qe1n3l5Rkq3T alice@laptop";
        Assert.Equal(key, Read(("bastionPublicKey", key)).BastionPublicKey);
    }

    [Fact]
    public void Bad_context_stops_the_app_before_any_stack_is_built()
    {
        var app = CdkJson.NewApp(new Dictionary<string, object> { ["operatorCidrs"] = "0.0.0.0/0" });
        Assert.Throws<InvalidSettingException>(() => RdsStackApp.Build(app));
        Assert.Empty(app.Node.Children);
    }

    [Theory]
    [InlineData("sandbx", "sandbox")]
    [InlineData("operatorcidrs", "operatorCidrs")]
    [InlineData("operatorCidr", "operatorCidrs")]
    [InlineData("acount.prod", "account.prod")]
    [InlineData("configdir", "configDir")]
    [InlineData("bastionPublicKey.prd", "bastionPublicKey.prod")]
    public void Unknown_context_keys_are_refused_naming_the_nearest_known_key(string key, string nearest)
    {
        var error = Assert.Throws<InvalidSettingException>(() => DeploymentContext.RequireKnownKeys(new[] { "sandbox", key }));
        Assert.Equal(key, error.Setting);
        Assert.Contains($"did you mean '{nearest}'?", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Cdk_keys_and_every_known_key_pass()
    {
        DeploymentContext.RequireKnownKeys(new[]
        {
            "@aws-cdk/core:checkSecretUsage", "@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver",
            "aws:cdk:enable-path-metadata", "aws:cdk:enable-asset-metadata", "aws:cdk:version-reporting", "aws:cdk:bundling-stacks",
            "aws:cdk:disable-version-reporting", "cdk-foo", "acknowledged-issue-numbers", "availability-zones:account=123456789012:region=eu-west-1",
            "sandbox", "configDir", "operatorCidrs", "operatorCidrs.sandbox", "account", "account.prod", "appSecurityGroupId.dev", "bastionPublicKey",
        });
        Assert.Contains(DeploymentContext.KnownKeys, k => k.Key == "configDir");
    }

    [Fact]
    public void An_unknown_key_stops_the_app_before_any_stack_is_built()
    {
        var context = new Dictionary<string, object> { ["sandbx"] = "alice" };
        var app = CdkJson.NewApp(context);
        Assert.Throws<InvalidSettingException>(() => RdsStackApp.Build(app, CdkJson.Context(context).Keys));
        Assert.Empty(app.Node.Children);
    }
}
