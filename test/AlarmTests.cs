using System.Text.Json;
using System.Text.Json.Nodes;
using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>The operations topic, the RDS event subscription and the alarms, per preset.</summary>
[Collection(StandardAppCollection.Name)]
public sealed class AlarmTests
{
    private readonly StandardApp app;

    public AlarmTests(StandardApp app) => this.app = app;

    public static TheoryData<string, string> StacksAndEnvironments => new()
    {
        { "RdsStack-dev", "dev" },
        { "RdsStack-staging", "staging" },
        { "RdsStack-prod", "prod" },
        { "RdsStack-sandbox-alice", "sandbox" },
    };

    private static EnvironmentSettings Preset(string environment) =>
        EnvironmentPresets.Shared.Append(EnvironmentPresets.Sandbox).Single(p => p.Name == environment);

    private string TopicId(string stack) => app[stack].Single("AWS::SNS::Topic").Id;

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void One_topic_per_environment_encrypted_with_the_environment_key_and_tls_only(string stack, string _)
    {
        var template = app[stack];
        var (topicId, topic) = template.Single("AWS::SNS::Topic");
        var keyId = template.EnvironmentKeyId();
        Assert.Equal(keyId, topic.Props()["KmsMasterKeyId"]!["Fn::GetAtt"]![0]!.GetValue<string>());

        var policy = template.Single("AWS::SNS::TopicPolicy").Resource.Props();
        Assert.Equal(topicId, policy["Topics"]![0].RefTarget());
        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Contains(statements, s => s["Effect"]!.GetValue<string>() == "Deny" && s["Condition"]?["Bool"]?["aws:SecureTransport"]?.GetValue<string>() == "false");
        var allow = statements.Single(s => s["Effect"]!.GetValue<string>() == "Allow" && s["Condition"]?["StringEquals"] is not null);
        Assert.Equal(OperationsTopic.PublishingServices.OrderBy(x => x), allow["Principal"]!["Service"].AsList().Select(p => p!.GetValue<string>()).OrderBy(x => x));
        Assert.Equal("AWS::AccountId", allow["Condition"]!["StringEquals"]!["aws:SourceAccount"].RefTarget());
    }

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void The_key_lets_alarms_and_rds_events_use_it_for_this_accounts_topics_only(string stack, string _)
    {
        var keyPolicy = app[stack]["Resources"]![app[stack].EnvironmentKeyId()]!.AsObject().Props()["KeyPolicy"]!["Statement"]!.AsArray().Select(s => s!.AsObject());
        var statement = keyPolicy.Single(s => s["Sid"]?.GetValue<string>() == "AllowNotificationServicesToPublishToEncryptedTopicsOfThisAccount");
        // The alarms' and RDS events' services, and EventBridge for the stack's alert rules (KeyChangeAlertTests).
        Assert.Equal(OperationsTopic.PublishingServices.Append(RuleScopedTopicTarget.EventBridgeServicePrincipal).OrderBy(x => x), statement["Principal"]!["Service"].AsList().Select(p => p!.GetValue<string>()).OrderBy(x => x));
        Assert.Equal(new[] { "kms:Decrypt", "kms:GenerateDataKey*" }, statement["Action"].AsList().Select(a => a!.GetValue<string>()).OrderBy(x => x, StringComparer.Ordinal));
        // Only topics of this account and region (the encryption context SNS sets); the topic policy picks the publishers.
        var parts = statement["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:sns:topicArn"]!["Fn::Join"]![1]!.AsArray();
        var topicArn = string.Concat(parts.Select(p => p.RefTarget() is { } target ? $"${{{target}}}" : p!.GetValue<string>()));
        Assert.Equal("arn:aws:sns:eu-west-1:${AWS::AccountId}:*", topicArn);
    }

    [Fact]
    public void Production_without_subscribers_warns_that_its_alarms_reach_nobody_and_the_others_say_it_as_info()
    {
        Assert.Empty(CdkJson.Operations.SubscribersOf("prod").Email);
        Amazon.CDK.Assertions.Annotations.FromStack(app.Stacks["RdsStack-prod"]).HasWarning("/RdsStack-prod", Amazon.CDK.Assertions.Match.StringLikeRegexp("prod: the operations topic has no subscriber.*reach nobody"));
        Amazon.CDK.Assertions.Annotations.FromStack(app.Stacks["RdsStack-dev"]).HasNoWarning("*", Amazon.CDK.Assertions.Match.StringLikeRegexp("reach nobody"));
        Amazon.CDK.Assertions.Annotations.FromStack(app.Stacks["RdsStack-dev"]).HasInfo("/RdsStack-dev", Amazon.CDK.Assertions.Match.StringLikeRegexp("dev: the operations topic has no subscriber"));
    }

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void Subscribers_come_from_config_operations_json(string stack, string environment)
    {
        var expected = CdkJson.Operations.SubscribersOf(environment);
        var subscriptions = app[stack].Resources("AWS::SNS::Subscription").Select(s => s.Resource.Props()).ToList();
        Assert.Equal(expected.Email.OrderBy(e => e), subscriptions.Where(s => s["Protocol"]!.GetValue<string>() == "email").Select(s => s["Endpoint"]!.GetValue<string>()).OrderBy(e => e));
        Assert.Equal(expected.Https.OrderBy(e => e), subscriptions.Where(s => s["Protocol"]!.GetValue<string>() == "https").Select(s => s["Endpoint"]!.GetValue<string>()).OrderBy(e => e));
        Assert.All(subscriptions, s => Assert.Equal(TopicId(stack), s["TopicArn"].RefTarget()));
    }

    [Theory]
    [MemberData(nameof(StacksAndEnvironments))]
    public void The_rds_event_subscription_covers_the_preset_categories_of_this_instance(string stack, string environment)
    {
        var template = app[stack];
        var subscription = template.Single("AWS::RDS::EventSubscription").Resource.Props();
        Assert.Equal("db-instance", subscription["SourceType"]!.GetValue<string>());
        Assert.Equal(template.Single("AWS::RDS::DBInstance").Id, subscription["SourceIds"]![0].RefTarget());
        Assert.Equal(TopicId(stack), subscription["SnsTopicArn"].RefTarget());
        Assert.Equal(Preset(environment).DatabaseEventCategories, subscription["EventCategories"].AsList().Select(c => c!.GetValue<string>()));
        Assert.All(Preset(environment).DatabaseEventCategories, c => Assert.Contains(c, DatabaseEventSubscription.DbInstanceCategories));
    }

    [Fact]
    public void Shared_environments_hear_every_operator_category_and_a_sandbox_not_its_nightly_stops_and_starts()
    {
        var operatorCategories = new[] { "availability", "failover", "failure", "low storage", "maintenance", "notification", "recovery", "configuration change" };
        foreach (var stack in new[] { "RdsStack-dev", "RdsStack-staging", "RdsStack-prod" })
        {
            Assert.Equal(operatorCategories, app[stack].Single("AWS::RDS::EventSubscription").Resource.Props()["EventCategories"].AsList().Select(c => c!.GetValue<string>()));
        }

        // Stops and starts are "availability" and "notification" events: a sandbox does not hear them.
        var sandbox = app["RdsStack-sandbox-alice"].Single("AWS::RDS::EventSubscription").Resource.Props()["EventCategories"].AsList().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "failure", "low storage", "maintenance", "configuration change" }, sandbox);
        Assert.DoesNotContain("availability", sandbox);
        Assert.DoesNotContain("notification", sandbox);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_subscription_has_the_categories_control_tower_requires(string stack)
    {
        // CT.RDS.PR.17: a db-instance subscription notifies on maintenance, failure and configuration change.
        var categories = app[stack].Single("AWS::RDS::EventSubscription").Resource.Props()["EventCategories"].AsList().Select(c => c!.GetValue<string>()).ToList();
        Assert.All(DatabaseEventSubscription.RequiredCategories, c => Assert.Contains(c, categories));
        Assert.True(app[stack].Single("AWS::RDS::EventSubscription").Resource.Props()["Enabled"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("RdsStack-dev", new[] { "CPUCreditBalance", "CPUUtilization", "DatabaseConnections", "DiskQueueDepth", "FreeStorageSpace", "FreeableMemory", "ReadLatency", "StatusCheckFailed", "WriteLatency" })]
    [InlineData("RdsStack-staging", new[] { "CPUCreditBalance", "CPUUtilization", "DatabaseConnections", "DiskQueueDepth", "FreeStorageSpace", "FreeableMemory", "ReadLatency", "StatusCheckFailed", "WriteLatency" })]
    [InlineData("RdsStack-prod", new[] { "CPUUtilization", "DatabaseConnections", "DiskQueueDepth", "FreeStorageSpace", "FreeableMemory", "ReadLatency", "StatusCheckFailed", "WriteLatency" })]
    [InlineData("RdsStack-sandbox-alice", new string[0])]
    public void Alarms_per_preset_with_a_credit_alarm_only_on_burstable_classes_and_none_in_a_sandbox(string stack, string[] metrics)
    {
        var alarms = app[stack].Resources("AWS::CloudWatch::Alarm").Select(a => a.Resource.Props()["MetricName"]!.GetValue<string>()).OrderBy(m => m, StringComparer.Ordinal);
        Assert.Equal(metrics, alarms);
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    [InlineData("RdsStack-prod")]
    public void Every_alarm_notifies_on_alarm_and_ok_and_a_stopped_instance_never_alarms(string stack)
    {
        var topic = TopicId(stack);
        Assert.All(app[stack].Resources("AWS::CloudWatch::Alarm"), a =>
        {
            var p = a.Resource.Props();
            Assert.Equal(topic, Assert.Single(p["AlarmActions"]!.AsArray()).RefTarget());
            Assert.Equal(topic, Assert.Single(p["OKActions"]!.AsArray()).RefTarget());
            Assert.Null(p["InsufficientDataActions"]);
            Assert.Equal("notBreaching", p["TreatMissingData"]!.GetValue<string>());
            Assert.Null(p["AlarmName"]);
        });
    }

    [Theory]
    [InlineData("RdsStack-dev", "db.t4g.small", 20)]
    [InlineData("RdsStack-staging", "db.t4g.medium", 50)]
    [InlineData("RdsStack-prod", "db.m7g.large", 100)]
    public void Thresholds_follow_the_instance_class_and_storage(string stack, string instanceClass, int storageGiB)
    {
        var template = app[stack];
        double Threshold(string metric) => template.Resources("AWS::CloudWatch::Alarm").Single(a => a.Resource.Props()["MetricName"]!.GetValue<string>() == metric).Resource.Props()["Threshold"]!.GetValue<double>();
        var gib = 1024d * 1024 * 1024;
        var memoryGiB = instanceClass switch { "db.t4g.small" => 2, "db.t4g.medium" => 4, _ => 8 };
        Assert.Equal(Math.Round(Math.Max(storageGiB * 0.05, 1) * gib), Threshold("FreeStorageSpace"));
        Assert.Equal(Math.Round(memoryGiB * gib * 0.10), Threshold("FreeableMemory"));
        // max_connections = LEAST(memory / 9531392, 5000): 225, 450 and 901 for 2, 4 and 8 GiB; the alarm at 70%.
        var maxConnections = (int)(memoryGiB * gib / 9531392);
        Assert.Equal(new Dictionary<int, int> { [2] = 225, [4] = 450, [8] = 901 }[memoryGiB], maxConnections);
        Assert.Equal(Math.Floor(maxConnections * 0.7), Threshold("DatabaseConnections"));
        Assert.Equal(80, Threshold("CPUUtilization"));
        Assert.Equal(0.02, Threshold("ReadLatency"));
        Assert.Equal(0.02, Threshold("WriteLatency"));
        Assert.Equal(20, Threshold("DiskQueueDepth"));
        if (instanceClass.StartsWith("db.t", StringComparison.Ordinal))
        {
            // t4g.small and t4g.medium earn 24 credits an hour: a maximum of 576, the alarm below 10%.
            Assert.Equal(58, Threshold("CPUCreditBalance"));
        }
    }

    [Theory]
    [InlineData("db.t4g.small", 2, 225, 24)]
    [InlineData("db.t3.micro", 1, 112, 12)]
    [InlineData("db.t4g.2xlarge", 32, 3604, 192)]
    [InlineData("db.m7g.large", 8, 901, 0)]
    [InlineData("db.r7g.xlarge", 32, 3604, 0)]
    [InlineData("db.r6g.16xlarge", 512, 5000, 0)]
    public void Class_facts_give_memory_max_connections_and_credits(string instanceClass, double memoryGiB, int maxConnections, int creditsPerHour)
    {
        var facts = DatabaseClassFacts.For("instanceClass", instanceClass);
        Assert.Equal(memoryGiB, facts.MemoryGiB);
        Assert.Equal(maxConnections, facts.NominalMaxConnections);
        Assert.Equal(creditsPerHour, facts.CpuCreditsPerHour);
        Assert.Equal(creditsPerHour > 0, facts.IsBurstable);
    }

    [Theory]
    [InlineData("db.m6g.metal")]
    [InlineData("db.z9.large")]
    [InlineData("m7g.large")]
    public void A_class_without_known_memory_is_refused_by_name(string instanceClass)
    {
        var error = Assert.Throws<InvalidSettingException>(() => DatabaseClassFacts.For("databaseInstanceClass", instanceClass));
        Assert.Equal("databaseInstanceClass", error.Setting);
        Assert.Equal(instanceClass, error.Value);
    }

    [Theory]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Mars/Olympus\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{}}", "$.workingHours.timeZone", "Mars/Olympus")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"weekdays\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{}}", "$.workingHours.workingDays", "weekdays")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"8am\",\"stop\":\"19:00\"},\"subscribers\":{}}", "$.workingHours.start", "8am")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"19:00\",\"stop\":\"08:00\"},\"subscribers\":{}}", "$.workingHours.stop", "08:00")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"qa\":{}}}", "$.subscribers.qa", "qa")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"dev\":{\"email\":[\"not an address\"]}}}", "$.subscribers.dev.email[0]", "not an address")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"dev\":{\"https\":[\"http://hooks.example.com/x\"]}}}", "$.subscribers.dev.https[0]", "http://hooks.example.com/x")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"dev\":{\"slack\":[\"x\"]}}}", "$.subscribers.dev.slack", "slack")]
    [InlineData("{\"subscribers\":{}}", "$.workingHours", null)]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"prod\":{\"email\":[\"oncall@example.com\"]}}}", "$.subscribers.prod.email[0]", "oncall@example.com")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"prod\":{\"email\":[\"ops@team.invalid\"]}}}", "$.subscribers.prod.email[0]", "ops@team.invalid")]
    [InlineData("{\"workingHours\":{\"timeZone\":\"Europe/Dublin\",\"workingDays\":\"MON-FRI\",\"start\":\"08:00\",\"stop\":\"19:00\"},\"subscribers\":{\"prod\":{\"https\":[\"https://hooks.example.org/x\"]}}}", "$.subscribers.prod.https[0]", "https://hooks.example.org/x")]
    public void Bad_operations_config_is_refused_naming_the_file_and_json_path(string json, string path, string? value)
    {
        using var document = JsonDocument.Parse(json);
        var error = Assert.Throws<InvalidSettingException>(() => OperationsConfig.Parse(document.RootElement, "operations.json", RdsStackApp.EnvironmentNames));
        Assert.Equal($"operations.json: {path}", error.Setting);
        Assert.Equal(value, error.Value);
    }

    [Fact]
    public void A_bad_operations_file_stops_synthesis_before_any_stack_is_built()
    {
        var directory = Directory.CreateTempSubdirectory("rdsstack-config-").FullName;
        File.WriteAllText(Path.Combine(directory, OperationsConfig.FileName), File.ReadAllText(Path.Combine(CdkJson.ConfigDirectory, OperationsConfig.FileName)).Replace("\"19:00\"", "\"07:00\"", StringComparison.Ordinal));
        var app = CdkJson.NewApp(new Dictionary<string, object> { [DeploymentContext.ConfigDirKey] = directory });
        var error = Assert.Throws<InvalidSettingException>(() => RdsStackApp.Build(app));
        Assert.Equal("operations.json: $.workingHours.stop", error.Setting);
        Assert.Empty(app.Node.Children.OfType<Amazon.CDK.Stack>());

        var missing = CdkJson.NewApp(new Dictionary<string, object> { [DeploymentContext.ConfigDirKey] = Path.Combine(directory, "nowhere") });
        Assert.Equal(DeploymentContext.ConfigDirKey, Assert.Throws<InvalidSettingException>(() => RdsStackApp.Build(missing)).Setting);
    }

    [Theory]
    [InlineData("alarmsEnabled")]
    [InlineData("stopOutsideWorkingHours")]
    [InlineData("databaseEventCategories")]
    public void Production_keeps_its_alarms_its_events_and_runs_around_the_clock(string field)
    {
        var weakened = field switch
        {
            "alarmsEnabled" => EnvironmentPresets.Prod with { AlarmsEnabled = false },
            "stopOutsideWorkingHours" => EnvironmentPresets.Prod with { StopOutsideWorkingHours = true },
            _ => EnvironmentPresets.Prod with { DatabaseEventCategories = new[] { "failure" } },
        };
        var error = Assert.Throws<InvalidSettingException>(weakened.Validate);
        Assert.Equal($"prod.{field}", error.Setting);
        Assert.Contains("production preset", error.Message);
    }

    [Fact]
    public void The_committed_operations_config_is_valid()
    {
        var config = CdkJson.Operations;
        Assert.True(config.Start < config.Stop);
        Assert.All(config.Subscribers.Keys, k => Assert.Contains(k, RdsStackApp.EnvironmentNames));
    }

    [Fact]
    public void An_unknown_event_category_is_refused()
    {
        var stack = new Amazon.CDK.Stack(CdkJson.NewApp(), "Probe");
        var error = Assert.Throws<InvalidSettingException>(() => new DatabaseEventSubscription(stack, "Events", null!, null!, new[] { "low-storage" }));
        Assert.Equal("eventCategories", error.Setting);
        Assert.Contains("low storage", error.Allowed);
    }
}
