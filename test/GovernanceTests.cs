using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// Governance as the standard app ships it: prod's AWS Backup plan and locked vault, no statement text in the logs,
/// confused-deputy conditions on every service trust that supports them, the S3 endpoint policy, the key's CloudWatch
/// Logs scope covering every log group, and the quota-limited resources the README counts.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class GovernanceTests
{
    private readonly StandardApp app;

    public GovernanceTests(StandardApp app) => this.app = app;

    private static string[] Strings(JsonNode? node) => node.AsList().Select(n => n is JsonValue v ? v.GetValue<string>() : n!.ToJsonString()).ToArray();

    [Fact]
    public void Prod_backs_up_the_database_daily_into_a_compliance_locked_vault_with_its_own_key()
    {
        var template = app["RdsStack-prod"];
        var (vaultId, vault) = template.Single("AWS::Backup::BackupVault");
        Assert.Equal("BackupVaultADF21B19", vaultId);
        Assert.Equal("Retain", vault["DeletionPolicy"].Str());
        var keyId = vault.Props()["EncryptionKeyArn"].RefTarget();
        Assert.Equal("BackupVaultKeyE3270EF1", keyId);
        Assert.NotEqual("EnvironmentKeyC299B772", keyId);
        var lockConfig = vault.Props()["LockConfiguration"]!;
        Assert.Equal(7, (int)lockConfig["MinRetentionDays"]!);
        Assert.Equal(3, (int)lockConfig["ChangeableForDays"]!);
        var rule = template.Single("AWS::Backup::BackupPlan").Resource.Props()["BackupPlan"]!["BackupPlanRule"]!.AsArray().Single()!;
        Assert.Equal("cron(0 5 * * ? *)", rule["ScheduleExpression"].Str());
        Assert.Equal(35, (int)rule["Lifecycle"]!["DeleteAfterDays"]!);
        Assert.Equal(vaultId, rule["TargetBackupVault"].RefTarget());
        var selection = template.Single("AWS::Backup::BackupSelection").Resource.Props()["BackupSelection"]!;
        Assert.Contains("DatabaseInstanceAA8A5FDE", selection["Resources"]!.ToJsonString());
        var vaultKeyUse = template.Resource(keyId!).Props()["KeyPolicy"]!["Statement"]!.AsArray().Single(s => s!["Sid"].Str() == "UseOnlyThroughTheStacksServices")!;
        Assert.Equal(new[] { "backup.eu-west-1.amazonaws.com" }, Strings(vaultKeyUse["Condition"]!["StringEquals"]!["kms:ViaService"]));
    }

    [Fact]
    public void The_vault_key_describes_what_it_encrypts_and_that_rds_snapshots_keep_the_database_key()
    {
        var template = app["RdsStack-prod"];
        var description = template.Resource("BackupVaultKeyE3270EF1").Props()["Description"].Str()!;
        Assert.Equal(DatabaseBackupPlan.VaultKeyDescription("rdsstack-prod-backup"), description);
        Assert.Contains("AWS Backup vault", description);
        Assert.Contains("RDS snapshots in the vault stay encrypted with the database's own key", description);
        Assert.DoesNotContain("Performance Insights", description);
        Assert.Contains("Performance Insights", template.Resource("EnvironmentKeyC299B772").Props()["Description"].Str());
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    [InlineData("RdsStack-sandbox-alice")]
    public void Environments_without_a_plan_say_so_truthfully_and_prod_needs_no_acknowledgement(string stack)
    {
        Assert.Empty(app[stack].Resources("AWS::Backup::BackupVault"));
        var reason = Acknowledgement(stack, "NIST.800.53.R5-RDSInBackupPlan");
        Assert.StartsWith("No AWS Backup plan by the", reason);
        Assert.Null(Acknowledgement("RdsStack-prod", "NIST.800.53.R5-RDSInBackupPlan"));
    }

    private string? Acknowledgement(string stack, string rule) => app[stack].Resource("DatabaseInstanceAA8A5FDE")["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray()
        .FirstOrDefault(a => a!["id"].Str() == rule)?["reason"].Str();

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Service_roles_trust_their_service_only_for_this_account(string stack)
    {
        var expected = new Dictionary<string, string>
        {
            ["vpc-flow-logs.amazonaws.com"] = ":vpc-flow-log/*",
            ["monitoring.rds.amazonaws.com"] = ":db:",
            ["ecs-tasks.amazonaws.com"] = ":ecs:",
            ["backup.amazonaws.com"] = ":backup:",
            ["scheduler.amazonaws.com"] = ":schedule-group/default",
        };
        var seen = new List<string>();
        foreach (var (id, role) in app[stack].Resources("AWS::IAM::Role"))
        {
            foreach (var statement in role.Props()["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())
            {
                var service = statement!["Principal"]?["Service"].Str();
                if (service is null || !expected.TryGetValue(service, out var arnPart))
                {
                    // ec2.amazonaws.com (bastion instance profile) and lambda.amazonaws.com (CDK's handler) pass no source
                    // context when they assume a role; iam:PassRole in this account is their guard.
                    Assert.True(service is "ec2.amazonaws.com" or "lambda.amazonaws.com", $"{stack}/{id}: unexpected service {service}");
                    continue;
                }

                seen.Add(service);
                var condition = statement["Condition"]!.ToJsonString();
                Assert.Contains("\"aws:SourceAccount\":{\"Ref\":\"AWS::AccountId\"}", condition);
                Assert.Contains("aws:SourceArn", condition);
                Assert.Contains(arnPart, condition);
            }
        }

        Assert.Contains("vpc-flow-logs.amazonaws.com", seen);
        Assert.Contains("monitoring.rds.amazonaws.com", seen);
        Assert.Contains("ecs-tasks.amazonaws.com", seen);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_s3_endpoint_admits_only_this_accounts_buckets_and_the_package_and_image_layer_buckets(string stack)
    {
        var (_, endpoint) = app[stack].Single("AWS::EC2::VPCEndpoint");
        var statements = endpoint.Props()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Equal(2, statements.Count);
        var own = statements.Single(s => s["Sid"].Str() == "BucketsOfThisAccount");
        Assert.Equal("{\"Ref\":\"AWS::AccountId\"}", own["Condition"]!["StringEquals"]!["aws:ResourceAccount"]!.ToJsonString());
        var shared = statements.Single(s => s["Sid"].Str() == "AmazonLinuxRepositoriesAndEcrLayers");
        Assert.Equal("s3:GetObject", shared["Action"].Str());
        Assert.Equal(new[] { "arn:aws:s3:::al2023-repos-eu-west-1-*/*", "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*" }, Strings(shared["Resource"]));
        // Only the app and database route tables use the endpoint: the bastion's public subnets reach S3 through the gateway.
        Assert.DoesNotContain("Public", endpoint.Props()["RouteTableIds"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_log_group_falls_under_the_keys_cloudwatch_logs_scope(string stack)
    {
        var template = app[stack];
        var patterns = template.Resource("EnvironmentKeyC299B772").Props()["KeyPolicy"]!["Statement"]!.AsArray()
            .Where(s => s!["Sid"].Str()!.StartsWith("UseByCloudWatchLogs", StringComparison.Ordinal))
            .SelectMany(s => s!["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"].AsList())
            .Select(p => p!["Fn::Join"]![1]!.AsArray().Last().Str()!.Split(":log-group:")[1])
            .ToList();
        foreach (var (id, group) in template.Resources("AWS::Logs::LogGroup"))
        {
            // A log group without a name gets CloudFormation's generated "<stack name>-<logical id>-<suffix>".
            var name = group.Props()["LogGroupName"].Str() ?? $"{stack}-{id}-GENERATED";
            Assert.True(patterns.Any(p => System.Text.RegularExpressions.Regex.IsMatch(name, "^" + System.Text.RegularExpressions.Regex.Escape(p).Replace("\\*", ".*") + "$")), $"{stack}: log group {name} is outside the key's CloudWatch Logs scope {string.Join(", ", patterns)}");
        }
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Logs_carry_no_statement_text_and_pgaudit_records_role_and_ddl(string stack)
    {
        var values = app[stack].Single("AWS::RDS::DBParameterGroup").Resource.Props()["Parameters"]!.AsObject();
        foreach (var (name, value) in PostgresDefaults.Parameters(null))
        {
            Assert.Equal(value, values[name].Str());
        }

        Assert.Equal("none", values["log_statement"].Str());
        Assert.Equal("-1", values["log_min_duration_statement"].Str());
        Assert.Equal("role,ddl", values["pgaudit.log"].Str());
        Assert.Contains("pgaudit", values["shared_preload_libraries"].Str()!.Split(','));
        Assert.Equal("scram-sha-256", values["password_encryption"].Str());
    }

    [Fact]
    public void Slow_statement_text_is_an_opt_in_and_a_bad_threshold_is_refused()
    {
        Assert.Equal("250", PostgresDefaults.Parameters(250)["log_min_duration_statement"]);
        var stack = new Stack(CdkJson.NewApp(), "SlowOptIn", new StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1" } });
        var key = new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = "slow" });
        var network = new PrivateNetwork(stack, "Network", new PrivateNetworkProps { AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" }, EncryptionKey = key.Key });
        var error = Assert.Throws<InvalidSettingException>(() => new PostgresDatabase(stack, "Db", new PostgresDatabaseProps { Vpc = network.Vpc, EncryptionKey = key.Key, InstanceIdentifier = "slow", SlowStatementThresholdMs = -5 }));
        Assert.Equal("slowStatementThresholdMs", error.Setting);
    }

    [Fact]
    public void The_log_redaction_check_reads_the_shipped_template_and_ci_runs_it()
    {
        var root = ProgramTests.RepositoryRoot();
        var script = File.ReadAllText(Path.Combine(root, "test", "e2e", "no-secrets-in-postgres-log.sh"));
        Assert.Contains("AWS::RDS::DBParameterGroup", script);
        Assert.Contains("PASSWORD <REDACTED>", script);
        var ci = File.ReadAllText(Path.Combine(root, ".ci", "run"));
        Assert.Contains("postgresql-15-pgaudit", ci);
        Assert.Contains("npm run test:log-redaction", ci);
    }

    [Theory]
    [InlineData(0, 7, 3, null, "backupPlan.retentionDays")]
    [InlineData(35, 40, 3, null, "backupPlan.lockMinRetentionDays")]
    [InlineData(35, 7, 2, null, "backupPlan.lockChangeableForDays")]
    [InlineData(35, 7, 3, "arn:aws:backup:eu-central-1:333:backup-vault:x", "backupPlan.copyToVaultArn")]
    public void Bad_backup_plan_settings_are_refused(int retention, int lockMin, int changeable, string? copyTo, string setting)
    {
        var stack = new App.EnvironmentStack(CdkJson.NewApp(), "RdsStack-backup-refusal", new App.EnvironmentStackProps
        {
            Operations = CdkJson.Operations,
            Settings = App.EnvironmentPresets.Dev,
            Deployment = App.DeploymentContext.Read(_ => null),
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        var error = Assert.Throws<InvalidSettingException>(() => new DatabaseBackupPlan(stack, "Plan", new DatabaseBackupPlanProps
        {
            Database = stack.Database,
            KeyAlias = "refused-backup",
            RetentionDays = retention,
            LockMinRetentionDays = lockMin,
            LockChangeableForDays = changeable,
            CopyToVaultArn = copyTo,
        }));
        Assert.Equal(setting, error.Setting);
    }

    [Fact]
    public void A_copy_target_in_another_account_gets_a_copy_action_and_may_use_the_environment_key_only_through_rds_and_backup()
    {
        var stack = new App.EnvironmentStack(CdkJson.NewApp(), "RdsStack-copy", new App.EnvironmentStackProps
        {
            Operations = CdkJson.Operations,
            Settings = App.EnvironmentPresets.Prod with
            {
                Account = "222222222222",
                KeyAdministratorRoleArn = "arn:aws:iam::222222222222:role/KeyAdmin",
                BackupPlan = App.EnvironmentPresets.Prod.BackupPlan! with { CopyToVaultArn = "arn:aws:backup:eu-central-1:333333333333:backup-vault:rdsstack-prod-copy", CopyRetentionDays = 90 },
            },
            Deployment = App.DeploymentContext.Read(_ => null),
            Env = new Amazon.CDK.Environment { Account = "222222222222", Region = "eu-west-1" },
        });
        var json = Template.FromStack(stack).ToJson();
        var copy = json.Single("AWS::Backup::BackupPlan").Resource.Props()["BackupPlan"]!["BackupPlanRule"]![0]!["CopyActions"]![0]!;
        Assert.Equal("arn:aws:backup:eu-central-1:333333333333:backup-vault:rdsstack-prod-copy", copy["DestinationBackupVaultArn"].Str());
        Assert.Equal(90, (int)copy["Lifecycle"]!["DeleteAfterDays"]!);
        var statements = json.Resource("EnvironmentKeyC299B772").Props()["KeyPolicy"]!["Statement"]!.AsArray();
        var decrypt = statements.Single(s => s!["Sid"].Str() == "BackupCopyAccountsDecryptThroughRdsAndBackup")!;
        Assert.Contains("333333333333", decrypt["Principal"]!.ToJsonString());
        Assert.Equal(new[] { "rds.eu-west-1.amazonaws.com", "backup.eu-west-1.amazonaws.com" }, Strings(decrypt["Condition"]!["StringEquals"]!["kms:ViaService"]));
        Assert.Contains(statements, s => s!["Sid"].Str() == "DenyDeletionAndPolicyChangesExceptAdministrator"
            && s["Condition"]!["ArnNotLike"]!["aws:PrincipalArn"]!.ToJsonString().Contains("role/KeyAdmin")
            && s["Condition"]!["ArnNotLike"]!["aws:PrincipalArn"]!.ToJsonString().Contains("cfn-exec-role"));
    }

    [Fact]
    public void The_readme_counts_the_quota_limited_resources_of_each_environment_as_synthesized()
    {
        var readme = File.ReadAllText(Path.Combine(ProgramTests.RepositoryRoot(), "README.md"));
        var columns = new[] { "RdsStack-dev", "RdsStack-staging", "RdsStack-prod", "RdsStack-sandbox-alice" };
        foreach (var (label, type) in new[] { ("VPCs", "AWS::EC2::VPC"), ("Elastic IP addresses", "AWS::EC2::EIP"), ("NAT gateways", "AWS::EC2::NatGateway"), ("Internet gateways", "AWS::EC2::InternetGateway") })
        {
            var counts = columns.Select(c => app[c].Resources(type).Count()).ToArray();
            var row = $"| {label} | {string.Join(" | ", counts)} |";
            Assert.True(readme.Contains(row, StringComparison.Ordinal), $"README.md's quota table should have the row '{row}' (counted from the synthesized templates)");
        }
    }
}
