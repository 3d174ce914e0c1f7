using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RdsStack.App;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The review's other rule sets on the standard app's templates (the same single review run as
/// <see cref="SecurityReviewTests"/>): AWS Control Tower proactive controls through the cfn-guard binary and rules of
/// @cdklabs/cdk-validator-cfnguard, the CloudFormation registry schemas, cfn-lint, and the report sections that show
/// the policies and who can reach the database.
/// </summary>
[Collection(ReviewCollection.Name)]
public sealed class ControlTowerReviewTests
{
    private readonly StandardApp app;
    private readonly ReviewRun review;

    public ControlTowerReviewTests(StandardApp app, ReviewRun review)
    {
        this.app = app;
        this.review = review;
    }

    private JsonObject Checks(string stack) => JsonNode.Parse(File.ReadAllText(Path.Combine(review.OutDir, $"{stack}.checks.json")))!.AsObject();

    private static IEnumerable<string> Ids(JsonNode? list, string key = "control") => list!.AsArray().Select(x => (string)x![key]!);

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Control_tower_controls_ran_with_no_unacknowledged_finding(string stack)
    {
        var ct = Checks(stack)["controlTower"]!;
        Assert.True((int)ct["controlsInPackage"]! > 200, "the package's Control Tower rules should all be known");
        Assert.True((int)ct["controlsEvaluated"]! >= 30, "the controls for RDS, EC2, KMS, IAM, Lambda and Logs should run");
        Assert.True(ct["met"]!.AsArray().Count >= 20, "most applicable controls should pass");
        Assert.Contains("CT.RDS.PR.24", ct["met"]!.AsArray().Select(x => (string)x!));
        Assert.Empty(ct["findings"]!.AsArray());
        Assert.Empty(ct["enforcedViolations"]!.AsArray());
        Assert.Empty(ct["unusedAcknowledgements"]!.AsArray());
        Assert.Empty(ct["problems"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_control_tower_acknowledgement_sits_on_a_failing_resource_with_a_reason(string stack)
    {
        var template = app[stack];
        Assert.Null(template["Metadata"]?["control_tower"]);
        var written = template.Resources()
            .SelectMany(r => (r.Resource["Metadata"]?["control_tower"]?["acknowledged_controls"]?.AsArray() ?? new JsonArray())
                .Select(a => (Key: $"{(string)a!["id"]!} on {r.Id}", Reason: (string)a["reason"]!)))
            .ToList();
        Assert.NotEmpty(written);
        Assert.All(written, a => Assert.True(a.Reason.Length >= Library.NagAcknowledgement.MinimumReasonLength, a.Key));
        var used = Checks(stack)["controlTower"]!["acknowledged"]!.AsArray().Select(a => $"{(string)a!["control"]!} on {(string)a["resource"]!}");
        Assert.Equal(written.Select(a => a.Key).Order(), used.Order());
    }

    [Fact]
    public void Non_production_presets_acknowledge_their_cost_choices_and_prod_does_not_need_to()
    {
        var prod = Ids(Checks("RdsStack-prod")["controlTower"]!["acknowledged"]).ToHashSet();
        var dev = Ids(Checks("RdsStack-dev")["controlTower"]!["acknowledged"]).ToHashSet();
        foreach (var presetChoice in new[] { "CT.RDS.PR.1", "CT.RDS.PR.8", "CT.RDS.PR.13", "CT.CLOUDWATCH.PR.2" })
        {
            Assert.Contains(presetChoice, dev);
            Assert.DoesNotContain(presetChoice, prod);
        }

        Assert.Contains("CT.RDS.PR.1", Checks("RdsStack-prod")["controlTower"]!["met"]!.AsArray().Select(x => (string)x!));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_committed_enforced_controls_are_all_met(string stack)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ProgramTests.RepositoryRoot(), "config", "controls.json")))!;
        var enforced = config["enforcedControls"]!.AsArray().Select(x => (string)x!).ToList();
        Assert.NotEmpty(enforced);
        var met = Checks(stack)["controlTower"]!["met"]!.AsArray().Select(x => (string)x!).ToHashSet();
        Assert.All(enforced, id => Assert.Contains(id, met));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_resource_passes_the_registry_schemas_and_cfn_lint_reports_no_error(string stack)
    {
        var checks = Checks(stack);
        Assert.Empty(checks["schema"]!["violations"]!.AsArray());
        Assert.Equal(app[stack].Resources().Count(), (int)checks["schema"]!["resources"]!);
        Assert.True((int)checks["schema"]!["checks"]! > 1000, "every property of every resource should be checked");
        Assert.True((bool)checks["cfnLint"]!["installed"]!, "cfn-lint is part of this machine image; the review must find it");
        Assert.Empty(checks["cfnLint"]!["errors"]!.AsArray());
    }

    [Fact]
    public void Without_cfn_lint_the_review_says_it_did_not_run()
    {
        var copy = Directory.CreateTempSubdirectory("rdsstack-nolint-").FullName;
        foreach (var file in Directory.GetFiles(review.OutDir, "*.template.json").Append(Path.Combine(review.OutDir, "manifest.json")))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var (exitCode, output, error) = ReviewRun.Run($"--no-synth --out \"{copy}\" --checks lint", path: "/usr/bin:/bin");
        Assert.True(exitCode == 0, output + error);
        Assert.Contains("cfn-lint is not installed: its checks did not run", output);
    }

    [Fact]
    public void The_review_output_gives_the_time_of_each_tool()
    {
        Assert.Matches(@"Timings \(ms\): .*\d+", review.Output);
        var timings = JsonNode.Parse(File.ReadAllText(Path.Combine(review.OutDir, "review-timings.json")))!.AsObject();
        Assert.Equal(new[] { "cdkNag", "cfnLint", "controlTower", "schema" }, timings.Select(t => t.Key).Order());
    }

    [Fact]
    public void The_prod_report_shows_the_key_policy_secret_policy_parameters_and_who_reaches_the_database()
    {
        var report = review.Report("RdsStack-prod");
        foreach (var section in new[] { "## Control Tower proactive controls", "## CloudFormation validation", "## Who can reach the database", "## Policies", "### Key policy of EnvironmentKeyC299B772", "### Grants of EnvironmentKeyC299B772", "### Secrets and their resource policies", "### Parameter groups" })
        {
            Assert.Contains(section, report);
        }

        Assert.Contains("| UseByCloudWatchLogsForThisStacksLogGroups | Allow | logs.eu-west-1.amazonaws.com |", report);
        Assert.Contains("| DatabaseInstanceAA8A5FDE (AWS::RDS::DBInstance) | MasterUserSecret.KmsKeyId |", report);
        Assert.Contains("| DatabaseInstanceAA8A5FDE.MasterUserSecret | master credentials of DatabaseInstanceAA8A5FDE, created and rotated by RDS, encrypted with EnvironmentKeyC299B772 | none:", report);
        Assert.Contains("| rds.force_ssl | 1 |", report);
        // prod lists no operator networks (config/access.json): Session Manager is the only way in, and the report says so.
        Assert.Matches(@"\| security group BastionSecurityGroup\w+ \(.*\) \| tcp 5432 \| BastionInstance\w+ \(AWS::EC2::Instance\) \| Session Manager port forwarding", report);
        var devNetworks = string.Join("; ", AccessConfiguration.Load(CdkJson.ConfigDir, new[] { "dev", "staging", "prod" }).For("dev").OperatorCidrs.Select(c => "tcp 22 from " + c.Text));
        Assert.Matches(@"\| security group BastionSecurityGroup\w+ \(.*\) \| tcp 5432 \| BastionInstance\w+ \(AWS::EC2::Instance\) \| " + Regex.Escape(devNetworks) + "; Session Manager", review.Report("RdsStack-dev"));
        Assert.Matches(@"\| security group AppAccessSecurityGroup\w+ .* \| tcp 5432 \| output AppSecurityGroupId \(exported as RdsStack-prod-AppSecurityGroupId\)", report);
        Assert.Matches(@"\| rds-db:connect \(IAM database authentication\) \| AppAccessRole\w+ \| .*/app_user \|", report);
        // The instance's logical id carries a digest of its user data (a new operator list replaces it).
        Assert.Matches(@"\| CT\.EC2\.PR\.19 \| BastionInstanceD5ADABD5\w* \(AWS::EC2::Instance\) \|", report);
    }
}
