using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The operator policy each environment exports: a tunnel to the database through this bastion with the tunnel
/// document only, rds-db:connect as the caller's own database user, and named parameters — never a shell, never on *.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class OperatorPolicyTests
{
    private static readonly string[] ShellDocuments = { "SSM-SessionManagerRunShell", "AWS-StartInteractiveCommand", "AWS-StartNonInteractiveCommand", "AWS-StartSSHSession", "AWS-StartPortForwardingSessionToRemoteHost", "AWS-StartPortForwardingSession" };

    private readonly StandardApp app;

    public OperatorPolicyTests(StandardApp app) => this.app = app;

    private static (string Id, List<JsonObject> Statements) OperatorPolicy(JsonObject template)
    {
        var (id, policy) = template.Resources("AWS::IAM::ManagedPolicy").Single(p => p.Resource.Props()["Roles"] is null);
        return (id, policy.Props()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_policy_is_customer_managed_attached_to_nobody_and_exported(string stack)
    {
        var template = app[stack];
        var (id, _) = OperatorPolicy(template);
        Assert.Equal(id, template["Outputs"]!["OperatorPolicyArn"]!["Value"].RefTarget());
        Assert.Equal($"{stack}-OperatorPolicyArn", template["Outputs"]!["OperatorPolicyArn"]!["Export"]!["Name"].Str());
        Assert.Null(template.Resource(id).Props()["Users"]);
        Assert.Null(template.Resource(id).Props()["Groups"]);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void No_statement_allows_start_session_with_a_shell_document_or_on_any_resource(string stack)
    {
        var template = app[stack];
        var (_, statements) = OperatorPolicy(template);
        Assert.All(statements, s => Assert.Equal("Allow", s["Effect"].Str()));
        Assert.All(statements, s => Assert.DoesNotContain(s["Resource"].AsList(), r => r.Str() == "*"));
        Assert.All(statements, s => Assert.DoesNotContain(s["Action"].AsList(), a => a.Str()!.Contains('*', StringComparison.Ordinal)));
        var start = Assert.Single(statements, s => s["Action"].AsList().Any(a => a.Str() == "ssm:StartSession"));
        var text = start.ToJsonString();
        Assert.All(ShellDocuments, d => Assert.DoesNotContain(d, text));
        var resources = start["Resource"].AsList().ToList();
        Assert.Equal(2, resources.Count);
        var instanceId = template.Single("AWS::EC2::Instance").Id;
        var documentId = template.Single("AWS::SSM::Document").Id;
        Assert.Contains(resources, r => r!.ToJsonString().Contains(":instance/\",{\"Ref\":\"" + instanceId + "\"}", StringComparison.Ordinal));
        Assert.Contains(resources, r => r!.ToJsonString().Contains(":document/\",{\"Ref\":\"" + documentId + "\"}", StringComparison.Ordinal));
        // A request that names no document means the default shell document: with this check it is refused.
        Assert.Equal("true", start["Condition"]!["BoolIfExists"]!["ssm:SessionDocumentAccessCheck"].Str());
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Database_login_is_only_as_a_person_the_committed_declaration_names_bound_to_their_own_tag(string stack)
    {
        var (_, statements) = OperatorPolicy(app[stack]);
        var environment = stack.Contains("sandbox", StringComparison.Ordinal) ? "sandbox" : stack["RdsStack-".Length..];
        var declared = CommittedPeople(environment);
        var connect = ConnectStatements(statements);
        Assert.Equal(declared, connect.Select(c => c.User).Order(StringComparer.Ordinal));
        Assert.All(connect, c => Assert.Equal(c.User, c.TagValue));
        Assert.All(connect, c => Assert.Contains("DbiResourceId", c.Statement["Resource"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.All(statements, s => Assert.DoesNotContain("${aws:PrincipalTag", s["Resource"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.All(connect, c => Assert.DoesNotContain(c.User, new[] { "dbadmin", "app_user" }));
    }

    [Fact]
    public void Nobody_declared_means_no_rds_db_connect_statement_at_all()
    {
        Assert.Empty(CommittedPeople("prod"));
        var (_, statements) = OperatorPolicy(app["RdsStack-prod"]);
        Assert.DoesNotContain(statements, s => s.ToJsonString().Contains("rds-db", StringComparison.Ordinal));
    }

    /// <summary>The people of <paramref name="environment"/> in the committed file, read here independently of the app.</summary>
    internal static string[] CommittedPeople(string environment)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(CdkJson.ConfigDirectory, "database-users.json")))!;
        return root[environment]?["people"]?.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray() ?? Array.Empty<string>();
    }

    /// <summary>Each rds-db:connect statement: the database user its one resource names and the tag value its condition demands.</summary>
    internal static List<(JsonObject Statement, string User, string? TagValue)> ConnectStatements(IEnumerable<JsonObject> statements) => statements
        .Where(s => s["Action"].AsList().Any(a => a.Str() == "rds-db:connect"))
        .Select(s =>
        {
            Assert.Equal("rds-db:connect", s["Action"].Str());
            var resource = Assert.Single(s["Resource"].AsList());
            var parts = resource!["Fn::Join"]![1]!.AsArray();
            var user = parts[^1].Str()!;
            Assert.StartsWith("/", user);
            var condition = Assert.Single(s["Condition"]!.AsObject());
            Assert.Equal("StringEquals", condition.Key);
            var test = Assert.Single(condition.Value!.AsObject());
            Assert.Equal("aws:PrincipalTag/rdsstack-user", test.Key);
            return (s, user[1..], test.Value.Str());
        })
        .ToList();

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Parameters_are_read_by_name_only_the_private_key_only_where_one_exists(string stack)
    {
        var (_, statements) = OperatorPolicy(app[stack]);
        var read = Assert.Single(statements, s => s["Action"].AsList().Any(a => a.Str()!.StartsWith("ssm:GetParameter", StringComparison.Ordinal)));
        Assert.Equal("ssm:GetParameter", read["Action"].Str());
        var text = read["Resource"]!.ToJsonString();
        Assert.Contains($":parameter/rdsstack/{stack}/connection", text);
        Assert.Contains($":parameter/rdsstack/{stack}/bastion/host-keys", text);
        Assert.Equal(stack.Contains("sandbox", StringComparison.Ordinal), text.Contains(":parameter/ec2/keypair/", StringComparison.Ordinal));
        Assert.DoesNotContain("*", text);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Sessions_can_be_ended_or_resumed_only_when_they_are_the_callers_own(string stack)
    {
        var (_, statements) = OperatorPolicy(app[stack]);
        var own = Assert.Single(statements, s => s["Action"].AsList().Any(a => a.Str() == "ssm:TerminateSession"));
        Assert.Equal(new[] { "ssm:ResumeSession", "ssm:TerminateSession" }, own["Action"].AsList().Select(a => a.Str()).Order());
        Assert.EndsWith(":session/${aws:userid}-*\"]]}", own["Resource"]!.ToJsonString());
        Assert.Equal(3 + CommittedPeople(stack.Contains("sandbox", StringComparison.Ordinal) ? "sandbox" : stack["RdsStack-".Length..]).Length, statements.Count);
    }
}
