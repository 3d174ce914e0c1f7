using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// Runs the real review command once over the standard app's templates: the cdk-nag v2 packs (AwsSolutions, NIST
/// 800-53 R5, HIPAA Security, PCI DSS 3.2.1), the Control Tower proactive controls, the registry schemas and cfn-lint.
/// </summary>
public sealed class ReviewRun
{
    public ReviewRun()
    {
        var app = new StandardApp();
        (ExitCode, Output, Error) = Run($"--no-synth --out \"{app.OutDir}\"");
        OutDir = app.OutDir;
        Results = StandardApp.StackNames.ToDictionary(s => s, s => JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, $"{s}.nag.json")))!.AsObject());
    }

    /// <summary>Runs <c>node review/review.js</c> with <paramref name="arguments"/> in the repository root.</summary>
    public static (int ExitCode, string Output, string Error) Run(string arguments, string? path = null)
    {
        var root = ProgramTests.RepositoryRoot();
        var localNode = Path.Combine(root, "node_modules", ".bin", "node");
        Assert.True(Directory.Exists(Path.Combine(root, "node_modules", "cdk-nag")), "cdk-nag is not installed: run 'npm ci' in the repository root first.");
        Assert.True(Directory.Exists(Path.Combine(root, "node_modules", "@cdklabs", "cdk-validator-cfnguard")), "@cdklabs/cdk-validator-cfnguard is not installed: run 'npm ci' in the repository root first.");
        var start = new ProcessStartInfo(File.Exists(localNode) ? localNode : "node", $"review/review.js {arguments}")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), "the review did not finish within five minutes");
        return (process.ExitCode, output, stderr.Result);
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public string OutDir { get; }

    public IReadOnlyDictionary<string, JsonObject> Results { get; }

    public string Report(string stack) => File.ReadAllText(Path.Combine(OutDir, $"{stack}.review.md"));
}

[CollectionDefinition(Name)]
public sealed class ReviewCollection : ICollectionFixture<StandardApp>, ICollectionFixture<ReviewRun>
{
    public const string Name = "review";
}

[Collection(ReviewCollection.Name)]
public sealed class SecurityReviewTests
{
    private readonly StandardApp app;
    private readonly ReviewRun review;

    public SecurityReviewTests(StandardApp app, ReviewRun review)
    {
        this.app = app;
        this.review = review;
    }

    [Fact]
    public void The_review_command_passes_with_zero_unacknowledged_findings()
    {
        Assert.True(review.ExitCode == 0, review.Output + review.Error);
        Assert.Contains("Review: 0 unacknowledged findings, 0 schema violations, 0 cfn-lint errors.", review.Output);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void All_four_packs_ran_with_no_finding_and_no_rule_error(string stack)
    {
        var result = review.Results[stack];
        Assert.Equal(new[] { "AwsSolutions", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321" }, result["packs"]!.AsArray().Select(p => (string?)p));
        Assert.Empty(result["findings"]!.AsArray());
        Assert.Empty(result["errors"]!.AsArray());
        Assert.True((int)result["compliant"]! > 150, "the packs should have checked the stack's resources");
        var packsSeen = result["acknowledged"]!.AsArray().Select(a => (string?)a!["pack"]).Distinct().Count();
        Assert.Equal(4, packsSeen);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Acknowledgements_sit_on_resources_with_a_specific_reason_and_none_on_the_stack(string stack)
    {
        var template = app[stack];
        Assert.Null(template["Metadata"]?["cdk_nag"]);
        var written = template.Resources()
            .SelectMany(r => (r.Resource["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? new JsonArray()).Select(a => (Resource: r.Id, Rule: (string)a!["id"]!, Reason: (string)a["reason"]!)))
            .ToList();
        Assert.NotEmpty(written);
        Assert.All(written, a => Assert.True(a.Reason.Length >= Library.NagAcknowledgement.MinimumReasonLength, $"{a.Rule} on {a.Resource}: reason too short"));
        Assert.Equal(written.Count, written.Select(a => a.Reason).Count(r => !r.Contains("TODO", StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_acknowledgement_is_used_so_none_hides_a_future_finding(string stack)
    {
        var written = app[stack].Resources()
            .SelectMany(r => (r.Resource["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? new JsonArray()).Select(a => $"{(string)a!["id"]!} on {r.Id}"))
            .OrderBy(x => x).ToList();
        var used = review.Results[stack]["acknowledged"]!.AsArray()
            .Select(a => $"{(string)a!["rule"]!} on {(string)a["resource"]!}").Distinct().OrderBy(x => x).ToList();
        Assert.Equal(written, used);
    }

    [Fact]
    public void The_prod_report_lists_the_ssh_rule_with_its_cidr_the_database_key_and_the_rotation_schedule()
    {
        Assert.Matches($@"\| BastionInstance\w+ \| EC2 instance with Elastic IP \w+ \| tcp 22 from {System.Text.RegularExpressions.Regex.Escape(SynthesizedApp.OperatorIpv4)}; tcp 22 from {System.Text.RegularExpressions.Regex.Escape(SynthesizedApp.OperatorIpv6)} \|", review.Report("RdsStack-sandbox-alice"));
        var report = review.Report("RdsStack-prod");
        Assert.StartsWith("# Security review: RdsStack-prod", report);
        Assert.Matches(@"\| BastionInstance\w+ \| EC2 instance with Elastic IP \w+ \| no inbound rule from outside the VPC \|", report);
        Assert.Contains("| DatabaseInstanceAA8A5FDE | RDS postgres", report);
        Assert.Contains("| storage: EnvironmentKeyC299B772 |", report);
        Assert.Contains("| DatabaseInstanceAA8A5FDE | Master credentials secret (RDS-managed, Secrets Manager) | EnvironmentKeyC299B772 |", report);
        Assert.Contains("| DatabaseCredentialRotation9152E26D | DatabaseInstanceAA8A5FDE.MasterUserSecret.SecretArn | rate(30 days) | managed by RDS (no Lambda, no network path) |", report);
        Assert.Contains("| DatabaseInstanceAA8A5FDE | 14 days | on | Multi-AZ | Snapshot | Snapshot |", report);
        Assert.Contains("## Acknowledged rules", report);
        Assert.Contains("AwsSolutions-RDS11", report);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_report_has_every_section_a_reviewer_needs(string stack)
    {
        var report = review.Report(stack);
        foreach (var section in new[] { "## Rule packs", "## Control Tower proactive controls", "## CloudFormation validation", "## Internet-facing resources", "## Security-group rules", "## Who can reach the database", "## Data stores and encryption", "## Policies", "## Lambda functions", "## Secret rotation", "## Stateful resources", "## IAM", "## Access", "## Isolation and data governance", "## Operations", "## Acknowledged rules" })
        {
            Assert.Contains(section, report);
        }

        Assert.DoesNotContain("NOT ENCRYPTED", report);
        Assert.DoesNotContain("PUBLICLY ACCESSIBLE", report);
    }

    [Fact]
    public void The_prod_report_states_isolation_parameters_key_policy_split_and_the_locked_vault()
    {
        var report = review.Report("RdsStack-prod");
        Assert.Contains("**Account isolation:** Environments are NOT isolated: config/accounts.json names no account", report);
        Assert.Contains("| pgaudit.log | role,ddl |", report);
        Assert.Contains("| log_statement | none |", report);
        Assert.Contains("EnvironmentKeyC299B772: key deletion and policy changes by any principal of the account whose IAM policy allows it (no administrator role configured); bypass of the lockout safety check: off.", report);
        Assert.Contains("| DenyGrantsNotForAwsResources | Deny | deny grants not for AWS resources (CT.KMS.PR.3) |", report);
        Assert.Contains("Vault BackupVaultADF21B19: key BackupVaultKeyE3270EF1.Arn; lock compliance mode (immutable 3 days after creation), minimum retention 7 days; DeletionPolicy Retain.", report);
        Assert.Contains("| Daily | cron(0 5 * * ? *) | 35 | none | - |", report);
        Assert.Contains("No AWS Backup plan: the database relies on RDS automated backups", review.Report("RdsStack-dev"));
    }

    [Fact]
    public void The_readme_security_section_shows_the_generated_numbers()
    {
        var readme = File.ReadAllText(Path.Combine(ProgramTests.RepositoryRoot(), "README.md"));
        const string start = "<!-- rule-pack-summary:start (generated by npm run review -- --update-readme) -->";
        const string end = "<!-- rule-pack-summary:end -->";
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        var to = readme.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "README.md lacks the rule-pack summary markers");
        var inReadme = readme[(from + start.Length)..to].Trim().Replace("sandbox-review", "sandbox-alice");
        var generated = File.ReadAllText(Path.Combine(review.OutDir, "review-summary.md")).Trim();
        Assert.True(inReadme == generated, "README.md's rule-pack summary is out of date: run 'npm run review -- --update-readme' and commit README.md.\n" + generated);
    }

    [Fact]
    public void The_access_section_shows_who_can_log_in_with_fingerprints_and_the_policies()
    {
        var dev = review.Report("RdsStack-dev");
        var access = dev[dev.IndexOf("## Access", StringComparison.Ordinal)..dev.IndexOf("## Acknowledged rules", StringComparison.Ordinal)];
        foreach (var person in BastionTests.Committed("dev").Operators)
        {
            Assert.Contains($"| {person.Name} | {person.Fingerprint} | named operator (committed list); recorded fingerprint matches |", access);
        }

        Assert.Contains("| 192.0.2.0/24 | tcp 22 |", access);
        Assert.Contains("| StartDatabaseTunnelOnThisBastion | Allow | ssm:StartSession |", access);
        Assert.Contains("| SessionManagerAgent | Allow | ssm:UpdateInstanceInformation, ssmmessages:CreateControlChannel", access);
        Assert.Contains("(AWS-managed policies: none)", access);
        Assert.DoesNotContain("MISMATCH", access);

        var prod = review.Report("RdsStack-prod");
        Assert.Contains("Nobody can log in over SSH: the database is reached only through Session Manager port forwarding", prod);
        var sandbox = review.Report("RdsStack-sandbox-alice");
        Assert.Contains("| ec2-user | (EC2-generated; private key in SSM /ec2/keypair/<id>) |", sandbox);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_access_section_lists_exactly_the_declared_database_users_each_bound_to_their_own_tag(string stack)
    {
        var report = review.Report(stack);
        var access = report[report.IndexOf("**Allowed database users**", StringComparison.Ordinal)..report.IndexOf("## Acknowledged rules", StringComparison.Ordinal)];
        var people = OperatorPolicyTests.CommittedPeople(stack.Contains("sandbox", StringComparison.Ordinal) ? "sandbox" : stack["RdsStack-".Length..]);
        var rows = System.Text.RegularExpressions.Regex.Matches(access, @"^\| (\w+) \| aws:PrincipalTag/rdsstack-user = (\w+) \| the caller's own name only \|$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal(people.Select(p => (p, p)), rows);
        Assert.DoesNotContain("NOT BOUND", access);
        Assert.Equal(people.Length == 0, access.Contains("_None_: this environment declares no people, so the policy has no `rds-db:connect` statement", StringComparison.Ordinal));
    }
}
