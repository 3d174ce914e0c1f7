using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The environment key's policy, statement by statement, on a bare stack with a known account (so ARNs are literal):
/// administration split from use, use only through the stack's services, grants only for AWS resources (CT.KMS.PR.3),
/// deletion and policy changes reserved to the administrator role — and the key never locked out.
/// </summary>
public sealed class EnvironmentKeyPolicyTests
{
    private const string Account = "111111111111";
    private const string AdminRole = "arn:aws:iam::111111111111:role/KeyAdministrator";
    private const string DeploymentRole = "arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1";
    private static readonly Lazy<(JsonArray Plain, JsonArray WithAdmin, JsonObject PlainKey)> Policies = new(() =>
    {
        JsonObject KeyOf(string id, string? admin, Action<EnvironmentKey>? extra = null)
        {
            var stack = new Stack(CdkJson.NewApp(), id, new StackProps { Env = new Amazon.CDK.Environment { Account = Account, Region = "eu-west-1" } });
            var key = new EnvironmentKey(stack, "EnvironmentKey", new EnvironmentKeyProps { Alias = id.ToLowerInvariant(), AdministratorRoleArn = admin });
            key.GrantUseToCloudWatchLogs("/aws/rds/instance/db-1/*");
            extra?.Invoke(key);
            return Template.FromStack(stack).ToJson().Single("AWS::KMS::Key").Resource;
        }

        var plain = KeyOf("Plain", null, k => k.GrantUseToServicePrincipal("cloudwatch.amazonaws.com", "AlarmsToEncryptedTopic"));
        var admin = KeyOf("WithAdmin", AdminRole);
        return (Statements(plain), Statements(admin), plain);
    });

    private static JsonArray Statements(JsonObject key) => key.Props()["KeyPolicy"]!["Statement"]!.AsArray();

    private static JsonObject Sid(JsonArray statements, string sid) =>
        statements.Single(s => s!["Sid"].Str() == sid)!.AsObject();

    private static string[] Strings(JsonNode? node) => node.AsList().Select(n => n!.GetValue<string>()).ToArray();

    [Fact]
    public void Administration_is_the_kms_documented_administrator_actions_for_the_account_and_nothing_cryptographic()
    {
        var statement = Sid(Policies.Value.Plain, "AdministrationByAccountPrincipalsTheirIamPoliciesAllow");
        Assert.Equal("Allow", statement["Effect"].Str());
        Assert.Equal($"arn:aws:iam::{Account}:root", statement["Principal"]!["AWS"].Str());
        var actions = Strings(statement["Action"]);
        Assert.Equal(EnvironmentKey.AdministrationActions.OrderBy(a => a), actions.OrderBy(a => a));
        Assert.DoesNotContain(actions, a => a is "kms:*" or "kms:Decrypt" or "kms:Encrypt" or "kms:GenerateDataKey*" or "kms:ReEncrypt*");
    }

    [Fact]
    public void Use_is_only_through_rds_secrets_manager_and_ec2_of_the_region_by_this_account()
    {
        var statement = Sid(Policies.Value.Plain, "UseOnlyThroughTheStacksServices");
        Assert.Equal(EnvironmentKey.UseActions.OrderBy(a => a), Strings(statement["Action"]).OrderBy(a => a));
        Assert.Equal(Account, statement["Condition"]!["StringEquals"]!["kms:CallerAccount"].Str());
        Assert.Equal(new[] { "rds.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com" }, Strings(statement["Condition"]!["StringEquals"]!["kms:ViaService"]));
    }

    [Fact]
    public void Grants_are_allowed_only_for_aws_resources_through_the_same_services()
    {
        var statement = Sid(Policies.Value.Plain, "GrantsOnlyForAwsResourcesThroughTheStacksServices");
        Assert.Equal("kms:CreateGrant", statement["Action"].Str());
        Assert.Equal("true", statement["Condition"]!["Bool"]!["kms:GrantIsForAWSResource"].Str());
        Assert.Equal(3, Strings(statement["Condition"]!["StringEquals"]!["kms:ViaService"]).Length);
    }

    [Fact]
    public void The_control_tower_CT_KMS_PR_3_deny_has_the_exact_shape_the_control_checks()
    {
        // CT.KMS.PR.3 (kms_create_grant_aws_service_check): Effect Deny, Action only kms:CreateGrant, Principal * (or AWS *),
        // Resource *, Condition with only BoolIfExists holding kms:GrantIsForAWSResource and aws:PrincipalIsAWSService, both "false".
        foreach (var statements in new[] { Policies.Value.Plain, Policies.Value.WithAdmin })
        {
            var statement = Sid(statements, "DenyGrantsNotForAwsResources");
            Assert.Equal("Deny", statement["Effect"].Str());
            Assert.Equal(new[] { "kms:CreateGrant" }, Strings(statement["Action"]));
            Assert.Equal("*", statement["Principal"]!["AWS"].Str());
            Assert.Equal("*", statement["Resource"].Str());
            var condition = statement["Condition"]!.AsObject();
            Assert.Equal(new[] { "BoolIfExists" }, condition.Select(c => c.Key));
            var keys = condition["BoolIfExists"]!.AsObject();
            Assert.Equal(new[] { "aws:PrincipalIsAWSService", "kms:GrantIsForAWSResource" }, keys.Select(k => k.Key).OrderBy(k => k, StringComparer.Ordinal));
            Assert.All(keys, k => Assert.Equal("false", k.Value.Str()));
        }
    }

    [Fact]
    public void Cloudwatch_logs_may_use_the_key_only_for_the_named_log_groups_of_this_account_and_region()
    {
        var statement = Sid(Policies.Value.Plain, "UseByCloudWatchLogsForThisStacksLogGroups");
        Assert.Equal("logs.eu-west-1.amazonaws.com", statement["Principal"]!["Service"].Str());
        Assert.Equal(new[] { $"arn:aws:logs:eu-west-1:{Account}:log-group:/aws/rds/instance/db-1/*" }, Strings(statement["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"]));
    }

    [Fact]
    public void A_service_principal_added_through_the_extension_point_acts_only_for_this_account()
    {
        var statement = Sid(Policies.Value.Plain, "AlarmsToEncryptedTopic");
        Assert.Equal("cloudwatch.amazonaws.com", statement["Principal"]!["Service"].Str());
        Assert.Equal(Account, statement["Condition"]!["StringEquals"]!["aws:SourceAccount"].Str());
        Assert.DoesNotContain("kms:*", Strings(statement["Action"]));
    }

    [Fact]
    public void No_statement_allows_everything_or_allows_anyone()
    {
        foreach (var statement in Policies.Value.Plain.Concat(Policies.Value.WithAdmin).Select(s => s!.AsObject()).Where(s => s["Effect"].Str() == "Allow"))
        {
            Assert.DoesNotContain("kms:*", Strings(statement["Action"]));
            Assert.NotEqual("*", statement["Principal"]?["AWS"].Str());
        }
    }

    [Fact]
    public void Without_an_administrator_role_nothing_denies_deletion_and_the_account_keeps_put_key_policy()
    {
        Assert.DoesNotContain(Policies.Value.Plain, s => s!["Sid"].Str() == "DenyDeletionAndPolicyChangesExceptAdministrator");
        var evaluator = new KeyPolicyEvaluator(Policies.Value.Plain);
        foreach (var principal in new[] { $"arn:aws:iam::{Account}:root", $"arn:aws:iam::{Account}:role/Admin" })
        {
            Assert.True(evaluator.Allows(principal, "kms:PutKeyPolicy"), $"{principal} must keep kms:PutKeyPolicy");
            Assert.True(evaluator.Allows(principal, "kms:ScheduleKeyDeletion"));
        }

        Assert.False(evaluator.Allows("arn:aws:iam::999999999999:role/Stranger", "kms:PutKeyPolicy"));
        Assert.Null(Policies.Value.PlainKey.Props()["BypassPolicyLockoutSafetyCheck"]);
    }

    [Fact]
    public void With_an_administrator_role_only_it_and_the_deployment_role_can_delete_the_key_or_change_its_policy()
    {
        var deny = Sid(Policies.Value.WithAdmin, "DenyDeletionAndPolicyChangesExceptAdministrator");
        Assert.Equal(EnvironmentKey.ProtectedActions.OrderBy(a => a), Strings(deny["Action"]).OrderBy(a => a));
        var evaluator = new KeyPolicyEvaluator(Policies.Value.WithAdmin);
        foreach (var action in EnvironmentKey.ProtectedActions)
        {
            Assert.True(evaluator.Allows(AdminRole, action), $"the administrator role must keep {action}");
            Assert.True(evaluator.Allows(DeploymentRole, action), $"the deployment role must keep {action} (KMS lockout safety check, stack updates)");
            Assert.False(evaluator.Allows($"arn:aws:iam::{Account}:root", action), $"the root user must not {action}");
            Assert.False(evaluator.Allows($"arn:aws:iam::{Account}:role/OtherAdmin", action), $"another administrator must not {action}");
        }

        Assert.True(evaluator.Allows($"arn:aws:iam::{Account}:role/OtherAdmin", "kms:DescribeKey"));
    }

    [Fact]
    public void Grant_revocation_and_alias_changes_are_reserved_too_but_services_still_retire_their_own_grants()
    {
        var denied = Strings(Sid(Policies.Value.WithAdmin, "DenyDeletionAndPolicyChangesExceptAdministrator")["Action"]);
        foreach (var action in new[] { "kms:RevokeGrant", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey" })
        {
            Assert.Contains(action, denied);
        }

        // RDS, EC2 and AWS Backup retire the grants they created as the grant's retiring principal: a deny would break that.
        Assert.DoesNotContain(denied, a => a.StartsWith("kms:Retire", StringComparison.Ordinal) || a.Contains('*'));
        var evaluator = new KeyPolicyEvaluator(Policies.Value.WithAdmin);
        Assert.False(evaluator.Allows($"arn:aws:iam::{Account}:role/OtherAdmin", "kms:RevokeGrant"));
        Assert.False(evaluator.Allows($"arn:aws:iam::{Account}:role/OtherAdmin", "kms:UpdateAlias"));
        Assert.True(evaluator.Allows(AdminRole, "kms:RevokeGrant"));
    }

    [Fact]
    public void The_description_says_what_the_environment_key_encrypts_unless_the_caller_gives_another()
    {
        Assert.Equal("RdsStack plain: encrypts the database, its snapshots, Performance Insights, the credentials secret, volumes and log groups.", Policies.Value.PlainKey.Props()["Description"].Str());
        var stack = new Stack(CdkJson.NewApp(), "Described");
        _ = new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = "described", Description = "RdsStack described: encrypts one thing." });
        Assert.Equal("RdsStack described: encrypts one thing.", Template.FromStack(stack).ToJson().Single("AWS::KMS::Key").Resource.Props()["Description"].Str());
    }

    [Theory]
    [InlineData("alias/x", null, "alias")]
    [InlineData("aws-x", null, "alias")]
    [InlineData("ok", "arn:aws:iam::111111111111:user/bob", "administratorRoleArn")]
    [InlineData("ok", "KeyAdministrator", "administratorRoleArn")]
    public void Bad_key_settings_are_refused(string alias, string? admin, string setting)
    {
        var stack = new Stack(CdkJson.NewApp(), "Refused");
        var error = Assert.Throws<InvalidSettingException>(() => new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = alias, AdministratorRoleArn = admin }));
        Assert.Equal(setting, error.Setting);
    }

    [Fact]
    public void Bad_service_names_copy_accounts_log_groups_and_principals_are_refused()
    {
        var stack = new Stack(CdkJson.NewApp(), "RefusedMore");
        Assert.Equal("viaServices", Assert.Throws<InvalidSettingException>(() => new EnvironmentKey(stack, "A", new EnvironmentKeyProps { Alias = "a", ViaServices = new[] { "rds.eu-west-1.amazonaws.com" } })).Setting);
        Assert.Equal("backupCopyAccounts", Assert.Throws<InvalidSettingException>(() => new EnvironmentKey(stack, "B", new EnvironmentKeyProps { Alias = "b", BackupCopyAccounts = new[] { "1234" } })).Setting);
        var key = new EnvironmentKey(stack, "C", new EnvironmentKeyProps { Alias = "c" });
        Assert.Equal("logGroupNamePatterns", Assert.Throws<InvalidSettingException>(() => key.GrantUseToCloudWatchLogs("arn:aws:logs:eu-west-1:1:log-group:x")).Setting);
        Assert.Equal("servicePrincipal", Assert.Throws<InvalidSettingException>(() => key.GrantUseToServicePrincipal("cloudwatch", "X")).Setting);
    }

    /// <summary>
    /// Just enough of the KMS key-policy evaluation for administrative calls made without a service context: an explicit
    /// Deny wins, an Allow must match principal and action with no condition. An unknown condition operator on a
    /// statement that would decide the call fails the test instead of being guessed.
    /// </summary>
    private sealed class KeyPolicyEvaluator
    {
        private readonly IReadOnlyList<JsonObject> statements;

        public KeyPolicyEvaluator(JsonArray statements) => this.statements = statements.Select(s => s!.AsObject()).ToList();

        public bool Allows(string principalArn, string action)
        {
            var applicable = statements.Where(s => PrincipalMatches(s, principalArn) && Strings(s["Action"]).Any(a => Like(a, action))).ToList();
            if (applicable.Any(s => s["Effect"].Str() == "Deny" && ConditionsHold(s, principalArn)))
            {
                return false;
            }

            return applicable.Any(s => s["Effect"].Str() == "Allow" && s["Condition"] is null);
        }

        private static bool PrincipalMatches(JsonObject statement, string principalArn)
        {
            var aws = statement["Principal"]?["AWS"].Str();
            return aws == "*" || (aws is not null && aws.EndsWith(":root", StringComparison.Ordinal) && Arns.AccountOf(aws) == Arns.AccountOf(principalArn)) || aws == principalArn;
        }

        private static bool ConditionsHold(JsonObject statement, string principalArn)
        {
            foreach (var (op, tests) in statement["Condition"]?.AsObject() ?? new JsonObject())
            {
                foreach (var (key, value) in tests!.AsObject())
                {
                    var holds = (op, key) switch
                    {
                        ("ArnNotLike", "aws:PrincipalArn") => value.AsList().All(v => !Like(Render(v), principalArn)),
                        ("BoolIfExists", _) => true, // absent keys: the IfExists test holds (administrative calls carry no grant context)
                        _ => throw new InvalidOperationException($"the evaluator does not know {op} {key}"),
                    };
                    if (!holds)
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static string Render(JsonNode? value) => value switch
        {
            JsonValue v => v.GetValue<string>(),
            JsonObject o when o["Fn::Sub"] is JsonValue sub => sub.GetValue<string>().Replace("${AWS::Partition}", "aws").Replace("${AWS::AccountId}", Account).Replace("${AWS::Region}", "eu-west-1"),
            _ => throw new InvalidOperationException($"cannot render {value?.ToJsonString()}"),
        };

        private static bool Like(string pattern, string value) =>
            System.Text.RegularExpressions.Regex.IsMatch(value, "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
    }
}
