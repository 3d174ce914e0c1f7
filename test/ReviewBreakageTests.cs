using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// A copy of the real dev template, broken on purpose in every way the review must catch, reviewed once by the real
/// command (Control Tower, schema and cfn-lint; the cdk-nag packs have their own tests). The organisation enforces
/// CT.RDS.PR.20, which the template acknowledges.
/// </summary>
public sealed class BrokenTemplateReview
{
    public const string Stack = "RdsStack-dev";

    public BrokenTemplateReview()
    {
        var app = new StandardApp();
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(app.OutDir, $"{Stack}.template.json")))!.AsObject();
        var resources = template["Resources"]!.AsObject();
        var database = resources["DatabaseInstanceAA8A5FDE"]!.AsObject();
        var properties = database["Properties"]!.AsObject();

        // Control Tower: a new finding (the Multi-AZ acknowledgement is gone) and an acknowledgement that is not used.
        var acknowledged = database["Metadata"]!["control_tower"]!["acknowledged_controls"]!.AsArray();
        acknowledged.Remove(acknowledged.Single(a => (string)a!["id"]! == "CT.RDS.PR.1"));
        resources["EnvironmentKeyC299B772"]!["Metadata"] = JsonNode.Parse("""{ "control_tower": { "acknowledged_controls": [ { "id": "CT.KMS.PR.1", "reason": "Rotation is on, so this acknowledgement answers no finding at all." } ] } }""");

        // Schema: one break of each kind.
        properties["KmsKeyID"] = properties["KmsKeyId"]!.DeepClone();                    // misspelled property
        properties.Remove("KmsKeyId");
        properties["MultiAZ"] = "sometimes";                                              // wrong value type
        properties["MasterUserSecret"]!["KmsKeyIdd"] = "alias/aws/secretsmanager";        // unknown nested property
        resources.Single(r => (string)r.Value!["Type"]! == "AWS::RDS::DBSubnetGroup").Value!["Properties"]!.AsObject().Remove("DBSubnetGroupDescription"); // missing required
        resources["Mystery"] = JsonNode.Parse("""{ "Type": "AWS::RDS::DBInstanz", "Properties": {} }""");                   // unknown type
        resources["EnvironmentKeyC299B772"]!["DeletionPolicy"] = "Keep";                  // invalid DeletionPolicy
        template["Outputs"]!["DatabasePort"]!["Value"] = JsonNode.Parse("""{ "Fn::GetAtt": ["DatabaseInstanceAA8A5FDE", "Endpoint.Portt"] }"""); // bad attribute
        template["Outputs"]!["DatabaseName"]!["Value"] = JsonNode.Parse("""{ "Ref": "NoSuchThing" }""");                // bad Ref target

        OutDir = Directory.CreateTempSubdirectory("rdsstack-broken-").FullName;
        File.WriteAllText(Path.Combine(OutDir, $"{Stack}.template.json"), template.ToJsonString());
        File.WriteAllText(Path.Combine(OutDir, "manifest.json"), $$"""{ "artifacts": { "{{Stack}}": { "type": "aws:cloudformation:stack", "properties": { "templateFile": "{{Stack}}.template.json" } } } }""");
        var controls = Path.Combine(OutDir, "controls.json");
        File.WriteAllText(controls, """{ "enforcedControls": ["CT.RDS.PR.20"] }""");
        (ExitCode, Output, Error) = ReviewRun.Run($"--no-synth --out \"{OutDir}\" --controls \"{controls}\" --checks controls,schema,lint");
        Checks = JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, $"{Stack}.checks.json")))!.AsObject();
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public string OutDir { get; }

    public JsonObject Checks { get; }
}

[Collection(ReviewCollection.Name)]
public sealed class ReviewBreakageTests : IClassFixture<BrokenTemplateReview>
{
    private readonly BrokenTemplateReview broken;

    public ReviewBreakageTests(BrokenTemplateReview broken) => this.broken = broken;

    [Fact]
    public void The_review_fails()
    {
        Assert.True(broken.ExitCode == 1, broken.Output + broken.Error);
    }

    [Fact]
    public void A_new_control_tower_finding_is_reported_with_its_resource_and_stack()
    {
        Assert.Contains("CONTROL CT.RDS.PR.1 fails on DatabaseInstanceAA8A5FDE (AWS::RDS::DBInstance) in RdsStack-dev", broken.Output);
        Assert.Contains(broken.Checks["controlTower"]!["findings"]!.AsArray(), f => (string)f!["control"]! == "CT.RDS.PR.1");
    }

    [Fact]
    public void An_acknowledged_enforced_control_fails_naming_control_resource_and_stack()
    {
        Assert.Contains("ENFORCED CONTROL CT.RDS.PR.20 fails on DatabaseInstanceAA8A5FDE (AWS::RDS::DBInstance) in RdsStack-dev", broken.Output);
        Assert.Contains("an acknowledgement does not help", broken.Output);
    }

    [Fact]
    public void An_unused_control_tower_acknowledgement_fails()
    {
        Assert.Contains("UNUSED ACKNOWLEDGEMENT of CT.KMS.PR.1 on EnvironmentKeyC299B772 in RdsStack-dev", broken.Output);
    }

    [Theory]
    [InlineData("Resources/DatabaseInstanceAA8A5FDE/Properties/KmsKeyID", "unknown property 'KmsKeyID' of AWS::RDS::DBInstance")]
    [InlineData("Resources/DatabaseInstanceAA8A5FDE/Properties/MultiAZ", "expected a boolean")]
    [InlineData("Resources/DatabaseInstanceAA8A5FDE/Properties/MasterUserSecret/KmsKeyIdd", "unknown property 'KmsKeyIdd' of MasterUserSecret")]
    [InlineData("Resources/DatabaseInstanceSubnetGroupDE121BB6/Properties/DBSubnetGroupDescription", "required property 'DBSubnetGroupDescription' of AWS::RDS::DBSubnetGroup is missing")]
    [InlineData("Resources/Mystery/Type", "unknown resource type 'AWS::RDS::DBInstanz'")]
    [InlineData("Resources/EnvironmentKeyC299B772/DeletionPolicy", "DeletionPolicy 'Keep' is not one of")]
    [InlineData("Outputs/DatabasePort/Value/Fn::GetAtt", "AWS::RDS::DBInstance has no attribute 'Endpoint.Portt'")]
    [InlineData("Outputs/DatabaseName/Value/Ref", "Ref to 'NoSuchThing'")]
    public void Each_schema_break_is_reported_at_its_path(string path, string message)
    {
        var violations = broken.Checks["schema"]!["violations"]!.AsArray();
        Assert.Contains(violations, v => (string)v!["path"]! == path && ((string)v["message"]!).Contains(message, StringComparison.Ordinal));
        Assert.Contains($"SCHEMA RdsStack-dev {path}: ", broken.Output);
    }

    [Fact]
    public void The_schema_reports_nothing_else()
    {
        Assert.Equal(8, broken.Checks["schema"]!["violations"]!.AsArray().Count);
    }

    [Fact]
    public void Cfn_lint_errors_fail_the_review_too()
    {
        var errors = broken.Checks["cfnLint"]!["errors"]!.AsArray().Select(e => (string)e!["path"]!).ToList();
        Assert.Contains(errors, p => p.Contains("KmsKeyID", StringComparison.Ordinal) || p.EndsWith("DatabaseInstanceAA8A5FDE/Properties", StringComparison.Ordinal));
        Assert.Contains(errors, p => p.StartsWith("Outputs/DatabaseName", StringComparison.Ordinal));
        Assert.Contains("CFN-LINT E", broken.Output);
    }
}
