using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>A sandbox deploy as a developer types it: their own address and key on the command line.</summary>
public sealed class SandboxCommandLineApp : SynthesizedApp
{
    public const string DeveloperKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBc26TFUTb12N37rj33wi/i4LF+EG4yWTgFG1rnIqSM mei@laptop";

    public SandboxCommandLineApp()
        : base(new Dictionary<string, object> { ["sandbox"] = "alice", ["operatorCidrs"] = "198.51.100.7/32", ["bastionPublicKey"] = DeveloperKey })
    {
    }
}

/// <summary>
/// Person-specific settings never cross environments: the shared environments read only the committed
/// config/access.json, and everything about config/access.json is validated with the file and JSON path named.
/// </summary>
public sealed class AccessTests : IClassFixture<SandboxCommandLineApp>, IClassFixture<NoOperatorApp>
{
    private readonly SandboxCommandLineApp sandboxCommandLine;
    private readonly NoOperatorApp withoutCommandLine;

    public AccessTests(SandboxCommandLineApp sandboxCommandLine, NoOperatorApp withoutCommandLine)
    {
        this.sandboxCommandLine = sandboxCommandLine;
        this.withoutCommandLine = withoutCommandLine;
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    [InlineData("RdsStack-prod")]
    public void A_sandbox_command_line_leaves_shared_templates_byte_identical(string stack)
    {
        var withSandboxValues = File.ReadAllBytes(Path.Combine(sandboxCommandLine.OutDir, $"{stack}.template.json"));
        var without = File.ReadAllBytes(Path.Combine(withoutCommandLine.OutDir, $"{stack}.template.json"));
        Assert.Equal(without, withSandboxValues);
    }

    [Fact]
    public void The_command_line_values_reach_the_sandbox()
    {
        var template = sandboxCommandLine["RdsStack-sandbox-alice"];
        Assert.Contains(template.IngressRules(), r => r.Rule["CidrIp"].Str() == "198.51.100.7/32");
        Assert.Equal(SandboxCommandLineApp.DeveloperKey, template.Single("AWS::EC2::KeyPair").Resource.Props()["PublicKeyMaterial"].Str());
        Assert.DoesNotContain(withoutCommandLine["RdsStack-sandbox-alice"].IngressRules(), r => r.Rule["CidrIp"].Str() == "198.51.100.7/32");
    }

    private static InvalidSettingException Refused(string json, string expectedSetting)
    {
        var error = Assert.Throws<InvalidSettingException>(() => BastionTests.WithAccessFile(json));
        Assert.Contains(AccessConfiguration.FileName, error.Setting);
        Assert.EndsWith(expectedSetting, error.Setting);
        return error;
    }

    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3jt+bkHtuWt9DXr+8IYwJD/O6YCB4YGJM6FyUJqhj/ amara@laptop";

    [Theory]
    [InlineData("{\"prod\": {\"operatorCidrs\": [\"0.0.0.0/0\"]}}", "$.prod.operatorCidrs[0]")]
    [InlineData("{\"prod\": {\"operatorCidrs\": [\"192.0.2.0/24\", \"192.0.2.0/24\"]}}", "$.prod.operatorCidrs[1]")]
    [InlineData("{\"prod\": {\"operatorCidrs\": \"192.0.2.0/24\"}}", "$.prod.operatorCidrs")]
    [InlineData("{\"prod\": {\"operators\": [{\"name\": \"Amara\", \"publicKey\": \"" + Key + "\"}]}}", "$.prod.operators[0].name")]
    [InlineData("{\"prod\": {\"operators\": [{\"name\": \"root\", \"publicKey\": \"" + Key + "\"}]}}", "$.prod.operators[0].name")]
    [InlineData("{\"prod\": {\"operators\": [{\"name\": \"amara\", \"publicKey\": \"ssh-rsa AAAAB3NzaC1yc2E\"}]}}", "$.prod.operators[0].publicKey")]
    [InlineData("{\"prod\": {\"operators\": [{\"name\": \"amara\", \"publicKey\": \"" + Key + "\"}, {\"name\": \"amara\", \"publicKey\": \"" + Key + "\"}]}}", "$.prod.operators[1].name")]
    [InlineData("{\"prod\": {\"operators\": [{\"name\": \"amara\", \"key\": \"" + Key + "\"}]}}", "$.prod.operators[0].key")]
    [InlineData("{\"prod\": {\"operatorcidrs\": []}}", "$.prod.operatorcidrs")]
    [InlineData("{\"sandbox\": {\"operators\": []}}", "$.sandbox")]
    [InlineData("{\"production\": {}}", "$.production")]
    public void Bad_access_configuration_is_refused_naming_the_file_and_json_path(string json, string path) => Refused(json, path);

    [Fact]
    public void Invalid_json_is_refused_naming_the_file() =>
        Assert.Contains(AccessConfiguration.FileName, Assert.Throws<InvalidSettingException>(() => BastionTests.WithAccessFile("{ \"prod\": ")).Setting);

    [Fact]
    public void A_missing_config_dir_is_refused_and_a_missing_file_means_no_access()
    {
        Assert.Throws<InvalidSettingException>(() => DeploymentContext.Read(key => key == DeploymentContext.ConfigDirKey ? "/nonexistent/rdsstack-config" : null));
        var empty = Directory.CreateTempSubdirectory("rdsstack-noaccess-").FullName;
        var context = DeploymentContext.Read(key => key == DeploymentContext.ConfigDirKey ? empty : null);
        Assert.False(context.Access.Exists);
        Assert.Empty(context.AccessFor(EnvironmentPresets.Prod).Operators);
        Assert.Empty(context.AccessFor(EnvironmentPresets.Prod).OperatorCidrs);
    }

    [Fact]
    public void The_committed_configuration_is_valid_and_lists_people_only_for_shared_environments()
    {
        var context = DeploymentContext.Read(key => key == DeploymentContext.ConfigDirKey ? CdkJson.ConfigDir : null);
        Assert.True(context.Access.Exists);
        Assert.NotEmpty(context.AccessFor(EnvironmentPresets.Dev).Operators);
        Assert.Empty(context.AccessFor(EnvironmentPresets.Sandbox).Operators);
    }

    [Theory]
    [InlineData("operatorCidrs.prod", "198.51.100.7/32")]
    [InlineData("operatorCidrs.dev", "198.51.100.7/32")]
    [InlineData("bastionPublicKey.staging", Key)]
    public void Command_line_access_for_a_shared_environment_is_refused_pointing_at_the_committed_file(string key, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => DeploymentContext.Read(k => k == key ? value : null));
        Assert.Equal(key, error.Setting);
        Assert.Contains("config/access.json", error.Allowed);
    }

    [Fact]
    public void The_sandbox_suffix_form_is_the_same_as_the_plain_key()
    {
        var context = DeploymentContext.Read(k => k == "operatorCidrs.sandbox" ? "198.51.100.7/32" : null);
        Assert.Equal("198.51.100.7/32", Assert.Single(context.AccessFor(EnvironmentPresets.Sandbox).OperatorCidrs).Text);
        Assert.Empty(context.AccessFor(EnvironmentPresets.Dev).OperatorCidrs);
    }
}
