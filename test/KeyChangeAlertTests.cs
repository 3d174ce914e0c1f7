using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The EventBridge alerts of every environment: dangerous KMS calls on the stack's keys and, where a backup plan
/// exists, failed backup and copy jobs of its vault — both to the operations topic, which admits EventBridge for
/// exactly those rules, through a key that lets EventBridge publish into encrypted topics.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class KeyChangeAlertTests
{
    private readonly StandardApp app;

    public KeyChangeAlertTests(StandardApp app) => this.app = app;

    public static TheoryData<string, string> StacksAndEnvironments => AlarmTests.StacksAndEnvironments;

    private static EnvironmentSettings Preset(string environment) =>
        EnvironmentPresets.Shared.Append(EnvironmentPresets.Sandbox).Single(p => p.Name == environment);

    private static string[] Strings(JsonNode? node) => node.AsList().Select(n => n!.GetValue<string>()).ToArray();

    private static (string Id, JsonObject Props) RuleWithSource(JsonObject template, string source) =>
        template.Resources("AWS::Events::Rule")
            .Where(r => Strings(r.Resource.Props()["EventPattern"]?["source"]).Contains(source))
            .Select(r => (r.Id, r.Resource.Props()))
            .Single();

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void Dangerous_kms_calls_on_this_stacks_keys_go_to_the_operations_topic(string stack, string environment)
    {
        var template = app[stack];
        var (_, rule) = RuleWithSource(template, "aws.kms");
        var pattern = rule["EventPattern"]!;
        Assert.Equal(new[] { "AWS API Call via CloudTrail" }, Strings(pattern["detail-type"]));
        Assert.Equal(new[] { "kms.amazonaws.com" }, Strings(pattern["detail"]!["eventSource"]));
        var calls = Strings(pattern["detail"]!["eventName"]);
        Assert.Equal(KeyChangeAlert.DangerousOperations, calls);
        foreach (var call in new[] { "ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy", "RevokeGrant", "DisableKeyRotation", "DeleteAlias", "UpdateAlias" })
        {
            Assert.Contains(call, calls);
        }

        // The stack's keys: the environment key, and the vault key where the preset has a backup plan.
        var keyIds = template.Resources("AWS::KMS::Key").Select(k => k.Id).OrderBy(k => k).ToArray();
        Assert.Equal(Preset(environment).BackupPlan is null ? 1 : 2, keyIds.Length);
        var matchers = pattern["detail"]!["$or"]!.AsArray().Select(m => m!.AsObject()).ToList();
        var byResourceArn = matchers.Single(m => m["resources"] is not null)["resources"]!["ARN"].AsList().ToList();
        Assert.Equal(keyIds, byResourceArn.Where(a => a?["Fn::GetAtt"] is not null).Select(a => a!["Fn::GetAtt"]![0].Str()).OrderBy(k => k));
        var byKeyId = matchers.Single(m => m["requestParameters"]?["keyId"] is not null)["requestParameters"]!["keyId"].AsList().ToList();
        Assert.Equal(keyIds, byKeyId.Select(k => k?["Ref"].Str()).Where(k => k is not null).OrderBy(k => k));
        Assert.Equal(keyIds, byKeyId.Where(a => a?["Fn::GetAtt"] is not null).Select(a => a!["Fn::GetAtt"]![0].Str()).OrderBy(k => k));
        var aliases = template.Resources("AWS::KMS::Alias").Select(a => a.Resource.Props()["AliasName"].Str()).OrderBy(a => a);
        Assert.Equal(aliases, Strings(matchers.Single(m => m["requestParameters"]?["aliasName"] is not null)["requestParameters"]!["aliasName"]).OrderBy(a => a));

        var target = rule["Targets"]!.AsArray().Single()!;
        Assert.Equal(template.Single("AWS::SNS::Topic").Id, target["Arn"].RefTarget());
        Assert.Null(target["RoleArn"]);
    }

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void Failed_backup_and_copy_jobs_alert_only_where_a_backup_plan_exists(string stack, string environment)
    {
        var template = app[stack];
        var rules = template.Resources("AWS::Events::Rule").Where(r => Strings(r.Resource.Props()["EventPattern"]?["source"]).Contains("aws.backup")).ToList();
        if (Preset(environment).BackupPlan is null)
        {
            Assert.Empty(rules);
            Assert.Empty(template.Resources("AWS::Backup::BackupVault"));
            return;
        }

        var pattern = rules.Single().Resource.Props()["EventPattern"]!;
        Assert.Equal(new[] { "Backup Job State Change", "Copy Job State Change" }, Strings(pattern["detail-type"]));
        Assert.Equal(new[] { "FAILED", "ABORTED", "EXPIRED" }, Strings(pattern["detail"]!["state"]));
        var vaultId = template.Single("AWS::Backup::BackupVault").Id;
        var matchers = pattern["detail"]!["$or"]!.AsArray().Select(m => m!.AsObject()).ToList();
        foreach (var field in new[] { "backupVaultArn", "sourceBackupVaultArn" })
        {
            var arn = matchers.Single(m => m[field] is not null)[field]!.AsArray().Single()!;
            Assert.Equal(new[] { vaultId, "BackupVaultArn" }, Strings(arn["Fn::GetAtt"]));
        }

        Assert.Equal(template.Single("AWS::SNS::Topic").Id, rules.Single().Resource.Props()["Targets"]![0]!["Arn"].RefTarget());
    }

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void The_topic_admits_eventbridge_for_exactly_this_stacks_rules(string stack, string _)
    {
        var template = app[stack];
        var statements = template.Single("AWS::SNS::TopicPolicy").Resource.Props()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var eventBridge = statements.Where(s => s["Principal"] is JsonObject principal && Strings(principal["Service"]).Contains(RuleScopedTopicTarget.EventBridgeServicePrincipal)).ToList();
        var ruleIds = template.Resources("AWS::Events::Rule").Select(r => r.Id).OrderBy(r => r).ToArray();
        Assert.NotEmpty(ruleIds);
        Assert.All(eventBridge, s =>
        {
            Assert.Equal("Allow", s["Effect"].Str());
            Assert.Equal(new[] { "sns:Publish" }, Strings(s["Action"]));
            Assert.Equal("Arn", s["Condition"]!["ArnEquals"]!["aws:SourceArn"]!["Fn::GetAtt"]![1].Str());
        });
        Assert.Equal(ruleIds, eventBridge.Select(s => s["Condition"]!["ArnEquals"]!["aws:SourceArn"]!["Fn::GetAtt"]![0].Str()).OrderBy(r => r));
    }

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void The_environment_key_lets_eventbridge_publish_into_this_accounts_encrypted_topics(string stack, string _)
    {
        var statement = app[stack].Resource(app[stack].EnvironmentKeyId()).Props()["KeyPolicy"]!["Statement"]!.AsArray()
            .Single(s => s!["Sid"].Str() == "AllowNotificationServicesToPublishToEncryptedTopicsOfThisAccount")!;
        Assert.Contains(RuleScopedTopicTarget.EventBridgeServicePrincipal, Strings(statement["Principal"]!["Service"]));
        Assert.NotNull(statement["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:sns:topicArn"]);
    }

    [Fact]
    public void An_imported_topic_or_bad_settings_are_refused_at_synth()
    {
        var stack = new Stack(CdkJson.NewApp(), "AlertRefused", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var key = new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = "refused" });
        var topic = new Amazon.CDK.AWS.SNS.Topic(stack, "Topic");
        var imported = Amazon.CDK.AWS.SNS.Topic.FromTopicArn(stack, "Imported", "arn:aws:sns:eu-west-1:111111111111:elsewhere");
        Assert.Equal("topic", Assert.Throws<InvalidSettingException>(() => new KeyChangeAlert(stack, "A", new KeyChangeAlertProps { Keys = new[] { key.Key }, Topic = imported })).Setting);
        Assert.Equal("keys", Assert.Throws<InvalidSettingException>(() => new KeyChangeAlert(stack, "B", new KeyChangeAlertProps { Keys = Array.Empty<Amazon.CDK.AWS.KMS.IKey>(), Topic = topic })).Setting);
        Assert.Equal("eventNames", Assert.Throws<InvalidSettingException>(() => new KeyChangeAlert(stack, "C", new KeyChangeAlertProps { Keys = new[] { key.Key }, Topic = topic, EventNames = new[] { "kms:DisableKey" } })).Setting);
        Assert.Equal("aliasNames", Assert.Throws<InvalidSettingException>(() => new KeyChangeAlert(stack, "D", new KeyChangeAlertProps { Keys = new[] { key.Key }, Topic = topic, AliasNames = new[] { "alias/refused" } })).Setting);
        var vault = new Amazon.CDK.AWS.Backup.BackupVault(stack, "Vault");
        Assert.Equal("states", Assert.Throws<InvalidSettingException>(() => new BackupFailureAlert(stack, "E", new BackupFailureAlertProps { Vault = vault, Topic = topic, States = new[] { "failed" } })).Setting);
    }

    [Fact]
    public void On_a_bare_stack_the_alert_watches_the_given_keys_with_literal_alias_arns()
    {
        var stack = new Stack(CdkJson.NewApp(), "AlertBare", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var key = new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = "bare" });
        var topic = new Amazon.CDK.AWS.SNS.Topic(stack, "Topic");
        _ = new KeyChangeAlert(stack, "Alert", new KeyChangeAlertProps { Keys = new[] { key.Key }, AliasNames = new[] { key.Alias }, Topic = topic });
        var template = Template.FromStack(stack).ToJson();
        var matchers = template.Single("AWS::Events::Rule").Resource.Props()["EventPattern"]!["detail"]!["$or"]!.AsArray();
        Assert.Contains("arn:aws:kms:eu-west-1:111111111111:alias/bare", matchers[0]!["resources"]!["ARN"].AsList().Select(a => a.Str()));
        Assert.Equal(new[] { "alias/bare" }, Strings(matchers[2]!["requestParameters"]!["aliasName"]));
    }
}
