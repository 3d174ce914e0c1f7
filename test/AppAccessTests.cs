using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The standard app using an existing application security group in dev, committed in accounts.json (shared
/// environments take it from the committed file only).
/// </summary>
public sealed class ImportedAppGroupApp : SynthesizedApp
{
    public const string GroupId = "sg-0123456789abcdef0";

    public ImportedAppGroupApp()
        : base(new Dictionary<string, object> { [RdsStack.App.DeploymentContext.ConfigDirKey] = ConfigWithDevGroup() })
    {
    }

    private static string ConfigWithDevGroup()
    {
        var directory = Directory.CreateTempSubdirectory("rdsstack-app-group-").FullName;
        foreach (var file in Directory.GetFiles(CdkJson.ConfigDir))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        var accounts = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "accounts.json")))!;
        accounts["environments"]!["dev"]!["appSecurityGroupId"] = GroupId;
        File.WriteAllText(Path.Combine(directory, "accounts.json"), accounts.ToJsonString());
        return directory;
    }
}

[Collection(StandardAppCollection.Name)]
public sealed class AppAccessTests : IClassFixture<ImportedAppGroupApp>
{
    private readonly StandardApp app;
    private readonly ImportedAppGroupApp imported;

    public AppAccessTests(StandardApp app, ImportedAppGroupApp imported)
    {
        this.app = app;
        this.imported = imported;
    }

    private static string DatabaseGroup(JsonObject template) =>
        template.Single("AWS::RDS::DBInstance").Resource.Props()["VPCSecurityGroups"]![0].RefTarget()!;

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_database_admits_exactly_the_app_and_bastion_groups_on_5432(string stack)
    {
        var template = app[stack];
        var sources = template.IngressRules().Where(r => r.GroupId == DatabaseGroup(template))
            .Select(r => r.Rule["SourceSecurityGroupId"].RefTarget()!).OrderBy(s => s).ToList();
        var appGroup = template.Resources("AWS::EC2::SecurityGroup").Single(g => ((string?)g.Resource.Props()["GroupDescription"])!.StartsWith("Application tier", StringComparison.Ordinal)).Id;
        var bastionGroup = template.Resources("AWS::EC2::SecurityGroup").Single(g => ((string?)g.Resource.Props()["GroupDescription"])!.StartsWith("Bastion", StringComparison.Ordinal)).Id;
        Assert.Equal(new[] { appGroup, bastionGroup }.OrderBy(s => s), sources);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_app_group_is_exported_and_reaches_only_the_database_and_https(string stack)
    {
        var template = app[stack];
        var output = template["Outputs"]!["AppSecurityGroupId"]!;
        Assert.Equal($"{stack}-AppSecurityGroupId", (string?)output["Export"]!["Name"]);
        var appGroup = output["Value"].RefTarget()!;
        var egress = template.EgressRules(appGroup).ToList();
        Assert.Equal(2, egress.Count);
        Assert.Contains(egress, e => (int?)e["FromPort"] == 5432 && e["DestinationSecurityGroupId"].RefTarget() == DatabaseGroup(template));
        Assert.Contains(egress, e => (int?)e["FromPort"] == 443 && (int?)e["ToPort"] == 443);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_app_role_may_connect_as_its_iam_user_and_nothing_else(string stack)
    {
        var template = app[stack];
        var roleId = template["Outputs"]!["AppRoleArn"]!["Value"].RefTarget();
        var statements = template.PolicyStatements(roleId).Select(s => s.Statement).ToList();
        var statement = Assert.Single(statements);
        Assert.Equal("rds-db:connect", (string?)statement["Action"]);
        var resource = statement["Resource"]!.ToJsonString();
        Assert.Contains(":rds-db:eu-west-1:", resource);
        Assert.Contains(":dbuser:", resource);
        Assert.Contains("\"DatabaseInstanceAA8A5FDE\",\"DbiResourceId\"", resource);
        Assert.Contains("/app_user", resource);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void No_iam_statement_in_any_stack_grants_a_wildcard_resource_except_kms_key_policies(string stack)
    {
        foreach (var (policy, statement) in app[stack].PolicyStatements())
        {
            Assert.All(statement["Resource"].AsList(), r => Assert.NotEqual("*", (string?)(r as JsonValue)));
        }
    }

    [Fact]
    public void Grants_produce_scoped_statements_for_the_secret_and_the_key()
    {
        // A fresh stack: the shared ones are already synthesized.
        var stack = new App.EnvironmentStack(CdkJson.NewApp(), "RdsStack-grants", new App.EnvironmentStackProps
        {
            Settings = App.EnvironmentPresets.Dev,
            Deployment = App.DeploymentContext.Read(_ => null),
            Operations = CdkJson.Operations,
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        var role = new Role(stack, "GrantProbeRole", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") });
        // The database is an IConnectable CDK itself can use: another group opens a path to it, group to group.
        var probeGroup = new Amazon.CDK.AWS.EC2.SecurityGroup(stack, "ProbeGroup", new Amazon.CDK.AWS.EC2.SecurityGroupProps { Vpc = stack.Network.Vpc });
        probeGroup.Connections.AllowTo(stack.Database, Amazon.CDK.AWS.EC2.Port.Tcp(5432), "probe");
        stack.Database.GrantReadCredentials(role);
        stack.Database.GrantConnect(role, "report_reader");
        var template = Template.FromStack(stack);
        var json = template.ToJson();
        var roleId = json.Resources("AWS::IAM::Role").Single(r => r.Id.StartsWith("GrantProbeRole", StringComparison.Ordinal)).Id;
        var statements = json.PolicyStatements(roleId).Select(s => s.Statement).ToList();
        Assert.Contains(statements, s => s["Action"]!.ToJsonString().Contains("secretsmanager:GetSecretValue") && s["Resource"]!.ToJsonString().Contains("MasterUserSecret.SecretArn"));
        // Decryption is granted in the key policy, to this role only, and only through Secrets Manager.
        var keyStatements = json.Resource("EnvironmentKeyC299B772").Props()["KeyPolicy"]!["Statement"]!.AsArray();
        Assert.Contains(keyStatements, s => s!["Action"].Str() == "kms:Decrypt"
            && s["Principal"]!["AWS"].RefTarget() == roleId
            && s["Condition"]?["StringEquals"]?["kms:ViaService"].Str() == "secretsmanager.eu-west-1.amazonaws.com");
        Assert.Contains(statements, s => s["Action"].Str() == "rds-db:connect" && s["Resource"]!.ToJsonString().Contains("/report_reader"));
        Assert.All(statements, s => Assert.All(s["Resource"].AsList(), r => Assert.NotEqual("*", (string?)(r as JsonValue))));
        var probeId = json.Resources("AWS::EC2::SecurityGroup").Single(g => g.Id.StartsWith("ProbeGroup", StringComparison.Ordinal)).Id;
        Assert.Contains(json.IngressRules(), r => r.GroupId == DatabaseGroup(json) && r.Rule["SourceSecurityGroupId"].RefTarget() == probeId && (int?)r.Rule["FromPort"] == 5432);
    }

    [Theory]
    [InlineData("dbadmin")]
    [InlineData("postgres")]
    [InlineData("Bad-User")]
    public void Connect_grants_for_the_master_or_invalid_users_are_refused(string user)
    {
        // A stack of its own: adding roles to the shared app's stacks would change templates other tests read.
        var stack = RefusalStack.Value;
        var role = new Role(stack, $"Refused{user.Replace("-", string.Empty)}", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com") });
        var error = Assert.Throws<Library.InvalidSettingException>(() => stack.Database.GrantConnect(role, user));
        Assert.Equal("databaseUser", error.Setting);
    }

    private static readonly Lazy<RdsStack.App.EnvironmentStack> RefusalStack = new(() => new RdsStack.App.EnvironmentStack(CdkJson.NewApp(), "RdsStack-grant-refusals", new RdsStack.App.EnvironmentStackProps
    {
        Settings = RdsStack.App.EnvironmentPresets.Staging,
        Deployment = RdsStack.App.DeploymentContext.Read(key => key == RdsStack.App.DeploymentContext.ConfigDirKey ? CdkJson.ConfigDir : null),
        Operations = CdkJson.Operations,
        Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
    }));

    [Fact]
    public void An_existing_app_group_is_admitted_by_id_and_none_is_created()
    {
        var template = imported["RdsStack-dev"];
        Assert.Contains(template.IngressRules(), r => r.GroupId == DatabaseGroup(template) && (string?)(r.Rule["SourceSecurityGroupId"] as JsonValue) == ImportedAppGroupApp.GroupId);
        Assert.DoesNotContain(template.Resources("AWS::EC2::SecurityGroup"), g => ((string?)g.Resource.Props()["GroupDescription"])!.StartsWith("Application tier", StringComparison.Ordinal));
        Assert.Equal($"\"{ImportedAppGroupApp.GroupId}\"", template.Output("AppSecurityGroupId"));
        Assert.Contains(imported["RdsStack-prod"].Resources("AWS::EC2::SecurityGroup"), g => ((string?)g.Resource.Props()["GroupDescription"])!.StartsWith("Application tier", StringComparison.Ordinal));
    }
}
