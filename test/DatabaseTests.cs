using System.Text.Json.Nodes;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

[Collection(StandardAppCollection.Name)]
public sealed class DatabaseTests
{
    private readonly StandardApp app;

    public DatabaseTests(StandardApp app) => this.app = app;

    private (string Id, JsonObject Props) Db(string stack)
    {
        var (id, resource) = app[stack].Single("AWS::RDS::DBInstance");
        return (id, resource.Props());
    }

    private string KeyId(string stack) => app[stack].EnvironmentKeyId();

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void It_sits_only_in_the_isolated_database_subnets_and_is_not_public(string stack)
    {
        var template = app[stack];
        var (_, db) = Db(stack);
        Assert.False((bool)db["PubliclyAccessible"]!);
        Assert.Equal("5432", (string?)db["Port"]);
        var subnetGroup = template.Resource(db["DBSubnetGroupName"].RefTarget()!).Props();
        var groupSubnets = subnetGroup["SubnetIds"]!.AsArray().Select(s => s.RefTarget()!).OrderBy(s => s);
        var databaseTier = template.Resources("AWS::EC2::Subnet")
            .Where(s => s.Resource.Props()["Tags"]!.AsArray().Any(t => (string?)t!["Key"] == "aws-cdk:subnet-name" && (string?)t["Value"] == "Database"))
            .Select(s => s.Id).OrderBy(s => s).ToList();
        Assert.Equal(app.Stacks[stack].Network.Vpc.AvailabilityZones.Length, databaseTier.Count);
        Assert.Equal(databaseTier, groupSubnets);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Its_own_security_group_admits_only_security_groups_on_5432(string stack)
    {
        var template = app[stack];
        var (_, db) = Db(stack);
        var groups = db["VPCSecurityGroups"]!.AsArray().Select(g => g.RefTarget()).ToList();
        var dbGroup = Assert.Single(groups);
        Assert.Null(template.Resource(dbGroup!).Props()["SecurityGroupIngress"]);
        var rules = template.IngressRules().Where(r => r.GroupId == dbGroup).Select(r => r.Rule).ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, rule =>
        {
            Assert.Null(rule["CidrIp"]);
            Assert.Null(rule["CidrIpv6"]);
            Assert.Null(rule["SourcePrefixListId"]);
            Assert.NotNull(rule["SourceSecurityGroupId"].RefTarget());
            Assert.Equal(5432, (int?)rule["FromPort"]);
            Assert.Equal(5432, (int?)rule["ToPort"]);
        });
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void One_rotating_customer_key_encrypts_storage_logs_and_the_credentials_secret(string stack)
    {
        var template = app[stack];
        var key = KeyId(stack);
        Assert.True((bool)template.Resource(key).Props()["EnableKeyRotation"]!);
        var (_, db) = Db(stack);
        Assert.True((bool)db["StorageEncrypted"]!);
        Assert.Equal(key, db["KmsKeyId"].RefTarget());
        Assert.Equal(key, db["MasterUserSecret"]!["KmsKeyId"].RefTarget());
        Assert.All(template.Resources("AWS::Logs::LogGroup"), g => Assert.Equal(key, g.Resource.Props()["KmsKeyId"].RefTarget()));
        Assert.True((bool)db["EnablePerformanceInsights"]!);
        Assert.Equal(key, db["PerformanceInsightsKMSKeyId"].RefTarget());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Tls_is_required_and_connections_are_logged_without_statement_text(string stack)
    {
        var template = app[stack];
        var (_, db) = Db(stack);
        Assert.Equal("rds-ca-rsa2048-g1", (string?)db["CACertificateIdentifier"]);
        var parameters = template.Resource(db["DBParameterGroupName"].RefTarget()!).Props();
        Assert.Equal($"postgres{PostgresDefaults.EngineMajorVersion}", (string?)parameters["Family"]);
        var values = parameters["Parameters"]!.AsObject();
        Assert.Equal("1", (string?)values["rds.force_ssl"]);
        Assert.Equal("TLSv1.2", (string?)values["ssl_min_protocol_version"]);
        Assert.Equal("1", (string?)values["log_connections"]);
        Assert.Equal("1", (string?)values["log_disconnections"]);
        Assert.Equal("-1", (string?)values["log_min_duration_statement"]);
        Assert.Equal("none", (string?)values["log_statement"]);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Iam_auth_is_on_and_rds_generates_the_master_password_into_secrets_manager(string stack)
    {
        var template = app[stack];
        var (_, db) = Db(stack);
        Assert.True((bool)db["EnableIAMDatabaseAuthentication"]!);
        Assert.Equal("dbadmin", (string?)db["MasterUsername"]);
        Assert.True((bool)db["ManageMasterUserPassword"]!);
        Assert.Null(db["MasterUserPassword"]);
        var text = template.ToJsonString();
        Assert.DoesNotContain("\"MasterUserPassword\"", text);
        Assert.DoesNotContain("removed-from-template", text);
        Assert.Empty(template.Resources("AWS::SecretsManager::Secret"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_master_secret_rotates_every_30_days_by_rds_itself(string stack)
    {
        var template = app[stack];
        var (dbId, _) = Db(stack);
        var (_, schedule) = template.Single("AWS::SecretsManager::RotationSchedule");
        var props = schedule.Props();
        Assert.Equal($"[\"{dbId}\",\"MasterUserSecret.SecretArn\"]", props["SecretId"]!["Fn::GetAtt"]!.ToJsonString());
        Assert.Equal("rate(30 days)", (string?)props["RotationRules"]!["ScheduleExpression"]);
        Assert.Null(props["RotationLambdaARN"]);
        Assert.Null(props["HostedRotationLambda"]);
    }

    public static TheoryData<string, bool, bool, int, string, string, string> Durability => new()
    {
        // stack, Multi-AZ, deletion protection, backup days, database, key and log-group deletion policies
        { "RdsStack-prod", true, true, 14, "Snapshot", "Retain", "Retain" },
        { "RdsStack-staging", false, true, 7, "Snapshot", "Retain", "Delete" },
        { "RdsStack-dev", false, false, 3, "Snapshot", "Retain", "Delete" },
        { "RdsStack-sandbox-alice", false, false, 1, "Delete", "Delete", "Delete" },
    };

    [Theory]
    [MemberData(nameof(Durability))]
    public void Durability_follows_the_environment(string stack, bool multiAz, bool protection, int backupDays, string dbPolicy, string keyPolicy, string logPolicy)
    {
        var template = app[stack];
        var (dbId, db) = Db(stack);
        Assert.Equal(multiAz, (bool)db["MultiAZ"]!);
        Assert.Equal(protection, (bool)db["DeletionProtection"]!);
        Assert.Equal(backupDays, (int)db["BackupRetentionPeriod"]!);
        Assert.Equal(dbPolicy, (string?)template.Resource(dbId)["DeletionPolicy"]);
        Assert.Equal(dbPolicy, (string?)template.Resource(dbId)["UpdateReplacePolicy"]);
        Assert.Equal(dbPolicy == "Delete", (bool)db["DeleteAutomatedBackups"]!);
        Assert.Equal(keyPolicy, (string?)template.Resource(KeyId(stack))["DeletionPolicy"]);
        // Fixed-name log groups outside production go with the stack, or re-creating the environment would fail.
        Assert.All(template.Resources("AWS::Logs::LogGroup"), g => Assert.Equal(logPolicy, (string?)g.Resource["DeletionPolicy"]));
    }

    [Fact]
    public void Prod_cannot_lose_data_to_cdk_destroy()
    {
        var template = app["RdsStack-prod"];
        var (dbId, db) = Db("RdsStack-prod");
        Assert.True((bool)db["DeletionProtection"]!);
        Assert.NotEqual("Delete", (string?)template.Resource(dbId)["DeletionPolicy"]);
        Assert.Equal("rdsstack-prod", (string?)db["DBInstanceIdentifier"]);
        Assert.True(app.Stacks["RdsStack-prod"].TerminationProtection);
        Assert.True((int)db["BackupRetentionPeriod"]! >= 7);
    }

    [Theory]
    [InlineData("RdsStack-sandbox-alice", "db.t4g.small", 20, 50)]
    [InlineData("RdsStack-dev", "db.t4g.small", 20, 100)]
    [InlineData("RdsStack-staging", "db.t4g.medium", 50, 200)]
    [InlineData("RdsStack-prod", "db.m7g.large", 100, 1000)]
    public void Gp3_storage_with_an_autoscaling_ceiling_sized_per_environment(string stack, string instanceClass, int storage, int ceiling)
    {
        var (_, db) = Db(stack);
        Assert.Equal(instanceClass, (string?)db["DBInstanceClass"]);
        Assert.Equal("gp3", (string?)db["StorageType"]);
        Assert.Equal(storage.ToString(), (string?)db["AllocatedStorage"]);
        Assert.Equal(ceiling, (int)db["MaxAllocatedStorage"]!);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Logs_are_exported_into_encrypted_groups_created_before_the_instance(string stack)
    {
        var template = app[stack];
        var (dbId, db) = Db(stack);
        Assert.Equal("[\"postgresql\",\"upgrade\"]", db["EnableCloudwatchLogsExports"]!.ToJsonString());
        var identifier = (string)db["DBInstanceIdentifier"]!;
        var dependsOn = template.Resource(dbId)["DependsOn"]!.AsArray().Select(d => (string)d!).ToHashSet();
        foreach (var type in new[] { "postgresql", "upgrade" })
        {
            var (groupId, group) = template.Resources("AWS::Logs::LogGroup").Single(g => (string?)g.Resource.Props()["LogGroupName"] == $"/aws/rds/instance/{identifier}/{type}");
            Assert.Contains(groupId, dependsOn);
            Assert.NotNull(group.Props()["RetentionInDays"]);
        }
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Enhanced_monitoring_every_60_seconds_with_its_role(string stack)
    {
        var template = app[stack];
        var (_, db) = Db(stack);
        Assert.Equal(60, (int)db["MonitoringInterval"]!);
        var role = template.Resource(db["MonitoringRoleArn"].RefTarget()!).Props();
        Assert.Contains("monitoring.rds.amazonaws.com", role["AssumeRolePolicyDocument"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Performance_insights_keeps_the_free_seven_days_in_every_environment(string stack)
    {
        var (_, db) = Db(stack);
        Assert.True((bool)db["EnablePerformanceInsights"]!);
        Assert.Equal(7, (int)db["PerformanceInsightsRetentionPeriod"]!);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_engine_is_the_newest_ga_major_with_minor_upgrades_and_no_surprise_extended_support(string stack)
    {
        var (_, db) = Db(stack);
        Assert.Equal("postgres", (string?)db["Engine"]);
        Assert.Equal(PostgresDefaults.EngineMajorVersion, (string?)db["EngineVersion"]);
        Assert.True((bool)db["AutoMinorVersionUpgrade"]!);
        Assert.False((bool)db["AllowMajorVersionUpgrade"]!);
        Assert.Equal("open-source-rds-extended-support-disabled", (string?)db["EngineLifecycleSupport"]);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Outputs_give_endpoint_port_secret_and_database_name(string stack)
    {
        var template = app[stack];
        var (dbId, _) = Db(stack);
        Assert.Contains($"\"{dbId}\",\"Endpoint.Address\"", template.Output("DatabaseEndpoint"));
        Assert.Contains($"\"{dbId}\",\"Endpoint.Port\"", template.Output("DatabasePort"));
        Assert.Contains($"\"{dbId}\",\"MasterUserSecret.SecretArn\"", template.Output("DatabaseSecretArn"));
        Assert.Equal("\"app\"", template.Output("DatabaseName"));
    }
}
