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
    public void Database_login_is_only_as_the_callers_own_user_never_the_master_or_app_user(string stack)
    {
        var (_, statements) = OperatorPolicy(app[stack]);
        var connect = Assert.Single(statements, s => s["Action"].AsList().Any(a => a.Str() == "rds-db:connect"));
        var arn = connect["Resource"]!.ToJsonString();
        Assert.Contains("DbiResourceId", arn);
        Assert.EndsWith("/${aws:PrincipalTag/rdsstack-user}\"]]}", arn);
        Assert.Equal("false", connect["Condition"]!["Null"]!["aws:PrincipalTag/rdsstack-user"].Str());
        Assert.Equal(new[] { "dbadmin", "app_user" }, connect["Condition"]!["StringNotEqualsIgnoreCase"]!["aws:PrincipalTag/rdsstack-user"]!.AsArray().Select(u => (string)u!));
    }

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
        Assert.Equal(4, statements.Count);
    }
}
