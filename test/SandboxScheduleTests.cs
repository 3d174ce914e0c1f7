using System.Globalization;
using System.Text.Json.Nodes;
using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>The sandbox's stop/start schedules and their role; none in shared environments.</summary>
[Collection(StandardAppCollection.Name)]
public sealed class SandboxScheduleTests
{
    private const string Sandbox = "RdsStack-sandbox-alice";
    private readonly StandardApp app;

    public SandboxScheduleTests(StandardApp app) => this.app = app;

    private JsonObject Template => app[Sandbox];

    private IEnumerable<JsonObject> Schedules => Template.Resources("AWS::Scheduler::Schedule").Select(s => s.Resource.Props());

    private JsonObject ScheduleCalling(string action) => Schedules.Single(s => s["Target"]!["Arn"]!.GetValue<string>() == $"arn:aws:scheduler:::aws-sdk:{action}");

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-staging")]
    [InlineData("RdsStack-prod")]
    public void Shared_environments_run_around_the_clock(string stack)
    {
        Assert.Empty(app[stack].Resources("AWS::Scheduler::Schedule"));
        Assert.Null(app[stack].Output("StartNowCommand"));
    }

    [Fact]
    public void The_sandbox_database_and_bastion_start_on_working_days_and_stop_every_evening_in_the_configured_zone()
    {
        var hours = CdkJson.Operations;
        var databaseId = Template.Single("AWS::RDS::DBInstance").Resource.Props()["DBInstanceIdentifier"]!.GetValue<string>();
        var bastionId = Template.Single("AWS::EC2::Instance").Id;
        var start = $"cron({hours.Start.Minute} {hours.Start.Hour} ? * {hours.WorkingDays} *)";
        var stop = $"cron({hours.Stop.Minute} {hours.Stop.Hour} ? * * *)";
        foreach (var (action, expression) in new[] { ("rds:startDBInstance", start), ("rds:stopDBInstance", stop), ("ec2:startInstances", start), ("ec2:stopInstances", stop) })
        {
            var schedule = ScheduleCalling(action);
            Assert.Equal(expression, schedule["ScheduleExpression"]!.GetValue<string>());
            Assert.Equal(hours.TimeZone, schedule["ScheduleExpressionTimezone"]!.GetValue<string>());
            Assert.Equal("ENABLED", schedule["State"]!.GetValue<string>());
            Assert.Equal("OFF", schedule["FlexibleTimeWindow"]!["Mode"]!.GetValue<string>());
        }

        Assert.Equal(4, Schedules.Count());
        foreach (var action in new[] { "rds:startDBInstance", "rds:stopDBInstance" })
        {
            var input = JsonNode.Parse(ScheduleCalling(action)["Target"]!["Input"]!.GetValue<string>())!;
            Assert.Equal(databaseId, input["DbInstanceIdentifier"]!.GetValue<string>());
        }

        foreach (var action in new[] { "ec2:startInstances", "ec2:stopInstances" })
        {
            var join = ScheduleCalling(action)["Target"]!["Input"]!["Fn::Join"]![1]!.AsArray();
            Assert.Equal("{\"InstanceIds\":[\"", join[0]!.GetValue<string>());
            Assert.Equal(bastionId, join[1].RefTarget());
            Assert.Equal("\"]}", join[2]!.GetValue<string>());
        }
    }

    [Fact]
    public void The_role_is_trusted_by_scheduler_for_this_account_and_stops_and_starts_those_two_resources_only()
    {
        var template = Template;
        var roleId = Schedules.Select(s => s["Target"]!["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>()).Distinct().Single();
        var trust = Assert.Single(template.Resource(roleId).Props()["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("scheduler.amazonaws.com", trust["Principal"]!["Service"]!.GetValue<string>());
        Assert.Equal("AWS::AccountId", trust["Condition"]!["StringEquals"]!["aws:SourceAccount"].RefTarget());

        // Nothing else is attached to the role: no managed AWS policy, no inline policy, one customer-managed policy.
        Assert.Null(template.Resource(roleId).Props()["ManagedPolicyArns"]);
        Assert.DoesNotContain(template.Resources("AWS::IAM::Policy"), p => p.Resource.Props()["Roles"].AsList().Any(r => r.RefTarget() == roleId));
        var policy = Assert.Single(template.Resources("AWS::IAM::ManagedPolicy"), p => p.Resource.Props()["Roles"].AsList().Any(r => r.RefTarget() == roleId)).Resource.Props();
        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["Sid"]!.GetValue<string>());
        Assert.Equal(new[] { "LetEc2AttachTheEncryptedVolumesOnStart", "StopAndStartTheDatabase", "StopAndStartTheInstance" }, statements.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.All(statements.Values, s => Assert.Equal("Allow", s["Effect"]!.GetValue<string>()));

        var database = statements["StopAndStartTheDatabase"];
        Assert.Equal(new[] { "rds:StartDBInstance", "rds:StopDBInstance" }, database["Action"].AsList().Select(a => a!.GetValue<string>()));
        Assert.Contains(":db:", database["Resource"]!.ToJsonString());
        Assert.Contains(template.Single("AWS::RDS::DBInstance").Id, database["Resource"]!.ToJsonString());

        var instance = statements["StopAndStartTheInstance"];
        Assert.Equal(new[] { "ec2:StartInstances", "ec2:StopInstances" }, instance["Action"].AsList().Select(a => a!.GetValue<string>()));
        Assert.Contains(":instance/", instance["Resource"]!.ToJsonString());
        Assert.Contains(template.Single("AWS::EC2::Instance").Id, instance["Resource"]!.ToJsonString());

        var grant = statements["LetEc2AttachTheEncryptedVolumesOnStart"];
        Assert.Equal("kms:CreateGrant", grant["Action"]!.GetValue<string>());
        Assert.Equal(template.Single("AWS::KMS::Key").Id, grant["Resource"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        Assert.True(grant["Condition"]!["Bool"]!["kms:GrantIsForAWSResource"]!.GetValue<bool>());
        Assert.Equal("ec2.eu-west-1.amazonaws.com", grant["Condition"]!["StringEquals"]!["kms:ViaService"]!.GetValue<string>());
        Assert.DoesNotContain("\"*\"", policy["PolicyDocument"]!.ToJsonString());
    }

    [Fact]
    public void The_start_now_output_starts_both_and_waits_for_the_database()
    {
        var command = Template.Output("StartNowCommand")!;
        Assert.Contains("aws rds start-db-instance --region eu-west-1 --db-instance-identifier rdsstack-sandbox-alice", command);
        Assert.Contains("aws ec2 start-instances --region eu-west-1 --instance-ids ", command);
        Assert.Contains(Template.Single("AWS::EC2::Instance").Id, command);
        Assert.Contains("aws rds wait db-instance-available", command);
    }

    [Fact]
    public void A_sandbox_without_bastion_schedules_only_its_database()
    {
        var stack = new EnvironmentStack(CdkJson.NewApp(), "RdsStack-sandbox-nobastion", new EnvironmentStackProps
        {
            Settings = EnvironmentPresets.Sandbox with { BastionEnabled = false },
            Deployment = DeploymentContext.Read(_ => null),
            Operations = CdkJson.Operations,
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        var json = Amazon.CDK.Assertions.Template.FromStack(stack).ToJson();
        Assert.Equal(new[] { "arn:aws:scheduler:::aws-sdk:rds:startDBInstance", "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance" }, json.Resources("AWS::Scheduler::Schedule").Select(s => s.Resource.Props()["Target"]!["Arn"]!.GetValue<string>()).OrderBy(a => a, StringComparer.Ordinal));
        var schedulePolicy = json.Resources("AWS::IAM::ManagedPolicy").Single(p => p.Id.StartsWith("WorkingHours", StringComparison.Ordinal)).Resource.Props()["PolicyDocument"]!.ToJsonString();
        Assert.DoesNotContain("ec2:", schedulePolicy);
        Assert.DoesNotContain("kms:", schedulePolicy);
    }

    [Theory]
    [InlineData("Europe/Dublin", "MON-FRI", "19:00", "08:00", "stop")]
    [InlineData("Nowhere/Town", "MON-FRI", "08:00", "19:00", "timeZone")]
    [InlineData("Europe/Dublin", "Monday", "08:00", "19:00", "workingDays")]
    public void Bad_working_hours_are_refused_by_name(string timeZone, string workingDays, string start, string stop, string setting)
    {
        var props = new EnvironmentStackProps
        {
            Settings = EnvironmentPresets.Sandbox with { BastionEnabled = false },
            Deployment = DeploymentContext.Read(_ => null),
            Operations = CdkJson.Operations with
            {
                TimeZone = timeZone,
                WorkingDays = workingDays,
                Start = TimeOnly.Parse(start, CultureInfo.InvariantCulture),
                Stop = TimeOnly.Parse(stop, CultureInfo.InvariantCulture),
            },
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        };
        var error = Assert.Throws<InvalidSettingException>(() => new EnvironmentStack(CdkJson.NewApp(), "RdsStack-sandbox-badhours", props));
        Assert.Equal(setting, error.Setting);
    }
}
