using Amazon.CDK;
using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// <see cref="ControlTowerAcknowledgement"/> and <c>config/controls.json</c>: acknowledgements are written on one
/// resource with a reason, and an enforced control can never be acknowledged — synthesis stops, naming the control,
/// the resource and the stack.
/// </summary>
public sealed class ControlTowerAcknowledgementTests
{
    private const string Reason = "A reason long enough to say what, why it is safe and what compensates.";

    private static CfnResource NewResource(IDictionary<string, object>? context = null)
    {
        var stack = new Stack(CdkJson.NewApp(context), "AckStack");
        return new CfnResource(stack, "Topic", new CfnResourceProps { Type = "AWS::SNS::Topic" });
    }

    [Fact]
    public void An_acknowledgement_is_written_as_resource_metadata_with_its_reason()
    {
        var resource = NewResource();
        ControlTowerAcknowledgement.Add(resource, Reason, "CT.SNS.PR.1", "CT.SNS.PR.2");
        var metadata = (IDictionary<string, object>)resource.GetMetadata(ControlTowerAcknowledgement.MetadataKey);
        var entries = ((IEnumerable<object>)metadata[ControlTowerAcknowledgement.ListKey]).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(new[] { "CT.SNS.PR.1", "CT.SNS.PR.2" }, entries.Select(e => (string)e["id"]));
        Assert.All(entries, e => Assert.Equal(Reason, e["reason"]));
    }

    [Theory]
    [InlineData("AwsSolutions-RDS11")]
    [InlineData("CT.RDS.20")]
    [InlineData("ct.rds.pr.20")]
    public void Only_control_ids_are_accepted(string id)
    {
        var error = Assert.Throws<ArgumentException>(() => ControlTowerAcknowledgement.Add(NewResource(), Reason, id));
        Assert.Contains($"'{id}' is not a Control Tower proactive control id", error.Message);
    }

    [Fact]
    public void A_short_reason_or_no_control_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ControlTowerAcknowledgement.Add(NewResource(), "because", "CT.RDS.PR.20"));
        Assert.Throws<ArgumentException>(() => ControlTowerAcknowledgement.Add(NewResource(), Reason));
    }

    [Fact]
    public void An_enforced_control_cannot_be_acknowledged()
    {
        var resource = NewResource(new Dictionary<string, object> { [ControlTowerAcknowledgement.EnforcedControlsContextKey] = new[] { "CT.SNS.PR.1" } });
        ControlTowerAcknowledgement.Add(resource, Reason, "CT.SNS.PR.2");
        var error = Assert.Throws<InvalidSettingException>(() => ControlTowerAcknowledgement.Add(resource, Reason, "CT.SNS.PR.1"));
        Assert.Equal("enforcedControls", error.Setting);
        Assert.Equal("CT.SNS.PR.1", error.Value);
        Assert.Contains("'AckStack/Topic' in stack 'AckStack'", error.Message);
    }

    [Fact]
    public void The_committed_configuration_lists_valid_control_ids()
    {
        var controls = ControlsConfiguration.Load(Path.Combine(ProgramTests.RepositoryRoot(), "config"));
        Assert.NotEmpty(controls.EnforcedControls);
        Assert.All(controls.EnforcedControls, id => Assert.True(ControlTowerAcknowledgement.IsControlId(id), id));
    }

    [Fact]
    public void A_missing_file_enforces_nothing()
    {
        Assert.Empty(ControlsConfiguration.Load(Directory.CreateTempSubdirectory("rdsstack-noconfig-").FullName).EnforcedControls);
    }

    [Theory]
    [InlineData("""{ "enforcedControls": ["CT.RDS.PR.20", "RDS.20"] }""", "$.enforcedControls[1]", "RDS.20")]
    [InlineData("""{ "enforcedControls": "CT.RDS.PR.20" }""", "$.enforcedControls", "CT.RDS.PR.20")]
    [InlineData("""{ "enforced": [] }""", "$.enforced", "[]")]
    public void A_bad_file_is_refused_naming_the_file_and_json_path(string json, string jsonPath, string value)
    {
        var dir = Directory.CreateTempSubdirectory("rdsstack-config-").FullName;
        File.WriteAllText(Path.Combine(dir, ControlsConfiguration.FileName), json);
        var error = Assert.Throws<InvalidSettingException>(() => ControlsConfiguration.Load(dir));
        Assert.Equal($"{Path.Combine(dir, ControlsConfiguration.FileName)} {jsonPath}", error.Setting);
        Assert.Equal(value, error.Value);
    }

    [Fact]
    public void Synthesis_stops_when_an_enforced_control_is_acknowledged()
    {
        // The committed configuration, with CT.RDS.PR.20 (acknowledged on every database: the standard port) enforced.
        var dir = Directory.CreateTempSubdirectory("rdsstack-enforce-").FullName;
        foreach (var file in Directory.GetFiles(CdkJson.ConfigDir))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(dir, ControlsConfiguration.FileName), """{ "enforcedControls": ["CT.RDS.PR.20"] }""");
        var (exitCode, stderr, outDir) = ProgramTests.RunApp(new Dictionary<string, string> { [DeploymentContext.ConfigDirKey] = dir });
        Assert.Equal(1, exitCode);
        Assert.Contains("RdsStack: Invalid setting 'enforcedControls': 'CT.RDS.PR.20'.", stderr);
        Assert.Contains("'RdsStack-dev/Database/Instance' in stack 'RdsStack-dev'", stderr);
        Assert.Empty(Directory.GetFiles(outDir, "*.template.json"));
    }
}
