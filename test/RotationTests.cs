using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// Rotation that can actually run. The shipped stacks use RDS-managed rotation (no function, no network path);
/// the reachability check itself is proven on real CDK output of the Lambda-based alternatives, so it would catch
/// a regression to a rotation that cannot reach Secrets Manager or the database, or to a deprecated runtime.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class RotationTests
{
    private readonly StandardApp app;

    public RotationTests(StandardApp app) => this.app = app;

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_rotation_in_every_stack_can_run(string stack)
    {
        Assert.Empty(RotationReachability.Problems(app[stack]));
        Assert.Single(app[stack].Resources("AWS::SecretsManager::RotationSchedule"));
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void No_stack_needs_the_serverless_transform_or_deploys_a_deprecated_runtime(string stack)
    {
        var template = app[stack];
        Assert.Null(template["Transform"]);
        Assert.All(template.Resources("AWS::Lambda::Function"), f =>
            Assert.DoesNotContain((string)f.Resource.Props()["Runtime"]!, Library.LambdaRuntimeFloor.DeprecatedRuntimes));
    }

    [Fact]
    public void Hosted_rotation_in_isolated_subnets_without_an_endpoint_is_caught()
    {
        var template = HostedRotation(withEndpoint: false, databaseAdmitsRotation: true);
        Assert.Contains(RotationReachability.Problems(template), p => p.Contains("cannot reach Secrets Manager"));
    }

    [Fact]
    public void Hosted_rotation_that_the_database_does_not_admit_is_caught()
    {
        var template = HostedRotation(withEndpoint: true, databaseAdmitsRotation: false);
        var problems = RotationReachability.Problems(template);
        Assert.Contains(problems, p => p.Contains("cannot reach the database"));
        Assert.DoesNotContain(problems, p => p.Contains("Secrets Manager"));
    }

    [Fact]
    public void Hosted_rotation_with_an_endpoint_and_a_database_rule_passes()
    {
        Assert.Empty(RotationReachability.Problems(HostedRotation(withEndpoint: true, databaseAdmitsRotation: true)));
    }

    [Fact]
    public void The_cdk_2160_single_user_rotation_app_is_caught()
    {
        var stack = NewStack(out var vpc);
        var instance = NewInstance(stack, vpc);
        instance.AddRotationSingleUser();
        var problems = RotationReachability.Problems(Synth(stack));
        Assert.Contains(problems, p => p.Contains("Serverless Application Repository"));
    }

    [Fact]
    public void A_schedule_on_a_secret_nobody_rotates_is_caught()
    {
        var stack = NewStack(out _);
        var secret = new Secret(stack, "Plain");
        _ = new CfnRotationSchedule(stack, "Schedule", new CfnRotationScheduleProps
        {
            SecretId = secret.SecretArn,
            RotationRules = new CfnRotationSchedule.RotationRulesProperty { ScheduleExpression = "rate(30 days)" },
        });
        Assert.Contains(RotationReachability.Problems(Synth(stack)), p => p.Contains("nothing would rotate it"));
    }

    [Fact]
    public void A_function_on_a_deprecated_runtime_is_caught()
    {
        var template = JsonNode.Parse("""{"Resources":{"Old":{"Type":"AWS::Lambda::Function","Properties":{"Runtime":"python3.9"}}}}""")!.AsObject();
        Assert.Contains(RotationReachability.Problems(template), p => p.Contains("python3.9"));
    }

    private static JsonObject HostedRotation(bool withEndpoint, bool databaseAdmitsRotation)
    {
        var stack = NewStack(out var vpc);
        var instance = NewInstance(stack, vpc);
        var rotationGroup = new SecurityGroup(stack, "RotationSg", new SecurityGroupProps { Vpc = vpc });
        if (withEndpoint)
        {
            vpc.AddInterfaceEndpoint("SecretsManager", new InterfaceVpcEndpointOptions
            {
                Service = InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
                Subnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
            });
        }

        if (databaseAdmitsRotation)
        {
            instance.Connections.AllowFrom(rotationGroup, Port.Tcp(5432));
        }

        instance.Secret!.AddRotationSchedule("Rotation", new RotationScheduleOptions
        {
            HostedRotation = HostedRotation_PostgreSql(vpc, rotationGroup),
            AutomaticallyAfter = Duration.Days(30),
        });
        return Synth(stack);
    }

    private static Amazon.CDK.AWS.SecretsManager.HostedRotation HostedRotation_PostgreSql(IVpc vpc, ISecurityGroup group) =>
        Amazon.CDK.AWS.SecretsManager.HostedRotation.PostgreSqlSingleUser(new SingleUserHostedRotationOptions
        {
            Vpc = vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
            SecurityGroups = new[] { group },
        });

    private static Stack NewStack(out Vpc vpc)
    {
        var stack = new Stack(CdkJson.NewApp(), "Rotation", new StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1" } });
        vpc = new Vpc(stack, "Vpc", new VpcProps
        {
            AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" },
            NatGateways = 0,
            RestrictDefaultSecurityGroup = false,
            SubnetConfiguration = new ISubnetConfiguration[]
            {
                new SubnetConfiguration { Name = "Isolated", SubnetType = SubnetType.PRIVATE_ISOLATED },
            },
        });
        return stack;
    }

    private static DatabaseInstance NewInstance(Stack stack, IVpc vpc) => new(stack, "Db", new DatabaseInstanceProps
    {
        Engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps { Version = PostgresEngineVersion.VER_16 }),
        Vpc = vpc,
        VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
    });

    private static JsonObject Synth(Stack stack) =>
        Amazon.CDK.Assertions.Template.FromStack(stack).ToJson();
}
