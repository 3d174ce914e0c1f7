using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using RdsStack.App;
using RdsStack.Tool;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// Each stack publishes its connection facts as the SSM String parameter the <c>rdsstack</c> tool reads. The
/// parameter's value is rendered the way CloudFormation would (deploy-time attributes replaced by stand-ins) and
/// parsed by the tool's own parser, so the stack and the tool agree on the shape.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class ConnectionFactsParameterTests
{
    private readonly StandardApp app;

    public ConnectionFactsParameterTests(StandardApp app) => this.app = app;

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_stack_publishes_its_connection_facts_in_the_shape_the_tool_reads(string stack)
    {
        var template = app[stack];
        var (parameterId, parameter) = FactsParameter(template, stack);
        var facts = ConnectionFacts.Parse(Render(parameter.Props()["Value"]), parameterId);

        Assert.Equal("String", parameter.Props()["Type"].Str());
        Assert.Equal(stack, facts.StackName);
        Assert.Equal(stack.Split("-")[1], facts.Environment);
        Assert.Equal("eu-west-1", facts.Region);
        var database = template.Single("AWS::RDS::DBInstance").Id;
        Assert.Equal($"<{database}.Endpoint.Address>", facts.Database.Endpoint);
        Assert.Equal(5432, facts.Database.Port);
        Assert.Equal("app", facts.Database.Name);
        Assert.Equal("dbadmin", facts.Database.MasterUsername);
        Assert.Equal($"<{database}.MasterUserSecret.SecretArn>", facts.Database.SecretArn);
        Assert.Equal($"<{database}.DbiResourceId>", facts.Database.ResourceId);

        var bastion = facts.Bastion!;
        Assert.Equal($"/rdsstack/{stack}/bastion/host-keys", bastion.HostKeysParameter);
        Assert.Equal(22, bastion.SshPort);
        Assert.Equal($"<{template.Single("AWS::EC2::Instance").Id}>", bastion.InstanceId);
        Assert.Equal("203.0.113.10", bastion.PublicIp);
        Assert.Equal("ec2-203-0-113-10.eu-west-1.compute.amazonaws.com", bastion.PublicDnsName);
        var keyPairs = template.Resources("AWS::EC2::KeyPair").ToList();
        if (keyPairs.Count == 0)
        {
            // Shared environments have no shared key: named operators log in with their own keys.
            Assert.Null(bastion.GeneratedKeyParameter);
            Assert.Null(bastion.GeneratedKeyUser);
        }
        else
        {
            Assert.Equal($"/ec2/keypair/<{Assert.Single(keyPairs).Id}.KeyPairId>", bastion.GeneratedKeyParameter);
            Assert.Equal("ec2-user", bastion.GeneratedKeyUser);
        }
        Assert.Null(bastion.HostKeys);
    }

    [Fact]
    public void With_an_imported_public_key_the_facts_name_no_generated_key()
    {
        var stack = new EnvironmentStack(CdkJson.NewApp(), "RdsStack-imported", new EnvironmentStackProps
        {
            Operations = CdkJson.Operations,
            Settings = EnvironmentPresets.Sandbox,
            Deployment = DeploymentContext.Read(key => key == "bastionPublicKey" ? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsVxk0VmX2WzLhYkmVvJ1c1k7pXQ2m0Qe1n3l5Rkq3T alice@laptop" : null),
            Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
        });
        var template = Template.FromStack(stack).ToJson();

        var facts = ConnectionFacts.Parse(Render(FactsParameter(template, "RdsStack-imported").Resource.Props()["Value"]), "template");

        Assert.Null(facts.Bastion!.GeneratedKeyParameter);
        Assert.Null(facts.Bastion.GeneratedKeyUser);
        Assert.Equal("sandbox", facts.Environment);
    }

    private static (string Id, JsonObject Resource) FactsParameter(JsonObject template, string stack)
    {
        var matches = template.Resources("AWS::SSM::Parameter").Where(r => r.Resource.Props()["Name"].Str() == $"/rdsstack/{stack}/connection").ToList();
        return Assert.Single(matches);
    }

    /// <summary>
    /// Resolves Fn::Join / Fn::Split / Ref / Fn::GetAtt like CloudFormation, with stand-ins: the Elastic IP is
    /// 203.0.113.10, any other Ref is &lt;LogicalId&gt;, an attribute is &lt;LogicalId.Attribute&gt;.
    /// </summary>
    private static string Render(JsonNode? node) => string.Concat(Resolve(node));

    private static IEnumerable<string> Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue value:
                return new[] { value.GetValue<string>() };
            case JsonObject o when o["Fn::Join"] is JsonArray join:
                return new[] { string.Join(join[0]!.GetValue<string>(), join[1] is JsonArray parts ? parts.Select(p => string.Concat(Resolve(p))) : Resolve(join[1])) };
            case JsonObject o when o["Fn::Split"] is JsonArray split:
                return string.Concat(Resolve(split[1])).Split(split[0]!.GetValue<string>());
            case JsonObject o when o["Ref"] is JsonValue reference:
                var id = reference.GetValue<string>();
                return new[] { id.StartsWith("BastionAddress", StringComparison.Ordinal) ? "203.0.113.10" : $"<{id}>" };
            case JsonObject o when o["Fn::GetAtt"] is JsonArray attribute:
                return new[] { $"<{attribute[0]}.{attribute[1]}>" };
            default:
                throw new InvalidOperationException($"cannot render {node?.ToJsonString()}");
        }
    }
}
