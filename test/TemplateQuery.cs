using System.Text.Json.Nodes;

namespace RdsStack.Tests;

/// <summary>Small read helpers over a synthesized CloudFormation template.</summary>
public static class TemplateQuery
{
    /// <summary>An Assertions template as JSON, for the same queries as a synthesized file.</summary>
    public static JsonObject ToJson(this Amazon.CDK.Assertions.Template template) =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(template.ToJSON()))!.AsObject();

    public static IEnumerable<(string Id, JsonObject Resource)> Resources(this JsonObject template, string? type = null) =>
        template["Resources"]!.AsObject()
            .Where(r => type is null || (string?)r.Value!["Type"] == type)
            .Select(r => (r.Key, r.Value!.AsObject()));

    public static (string Id, JsonObject Resource) Single(this JsonObject template, string type)
    {
        var all = template.Resources(type).ToList();
        Xunit.Assert.True(all.Count == 1, $"expected exactly one {type}, found {all.Count}");
        return all[0];
    }

    /// <summary>The environment key's logical id (the backup vault has a key of its own).</summary>
    public static string EnvironmentKeyId(this JsonObject template) =>
        template.Resources("AWS::KMS::Key").Single(k => k.Id.StartsWith("EnvironmentKey", StringComparison.Ordinal)).Id;

    public static JsonObject Props(this JsonObject resource) => resource["Properties"]?.AsObject() ?? new JsonObject();

    /// <summary>The logical id a {Ref} or {Fn::GetAtt} points at, or null.</summary>
    public static string? RefTarget(this JsonNode? node) => node switch
    {
        JsonObject o when o["Ref"] is JsonValue r => (string?)r,
        JsonObject o when o["Fn::GetAtt"] is JsonArray a => (string?)a[0],
        _ => null,
    };

    /// <summary>The string value of <paramref name="node"/>, or null when it is absent or not a string.</summary>
    public static string? Str(this JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static JsonObject Resource(this JsonObject template, string logicalId) => template["Resources"]![logicalId]!.AsObject();

    public static string? Output(this JsonObject template, string name) => template["Outputs"]?[name]?["Value"]?.ToJsonString();

    /// <summary>Every ingress rule of every security group: inline rules and AWS::EC2::SecurityGroupIngress resources.</summary>
    public static IEnumerable<(string GroupId, JsonObject Rule)> IngressRules(this JsonObject template)
    {
        foreach (var (id, group) in template.Resources("AWS::EC2::SecurityGroup"))
        {
            foreach (var rule in group.Props()["SecurityGroupIngress"]?.AsArray() ?? new JsonArray())
            {
                yield return (id, rule!.AsObject());
            }
        }

        foreach (var (_, ingress) in template.Resources("AWS::EC2::SecurityGroupIngress"))
        {
            yield return (ingress.Props()["GroupId"].RefTarget() ?? ingress.Props()["GroupId"]!.ToJsonString(), ingress.Props());
        }
    }

    /// <summary>Every egress rule of one security group.</summary>
    public static IEnumerable<JsonObject> EgressRules(this JsonObject template, string groupId)
    {
        foreach (var rule in template.Resource(groupId).Props()["SecurityGroupEgress"]?.AsArray() ?? new JsonArray())
        {
            yield return rule!.AsObject();
        }

        foreach (var (_, egress) in template.Resources("AWS::EC2::SecurityGroupEgress"))
        {
            if (egress.Props()["GroupId"].RefTarget() == groupId)
            {
                yield return egress.Props();
            }
        }
    }

    /// <summary>
    /// Every IAM policy statement in the template: AWS::IAM::Policy resources and roles' inline Policies, optionally
    /// only those attached to role <paramref name="roleId"/>. (Managed policies are not in the template.)
    /// </summary>
    public static IEnumerable<(string PolicyId, JsonObject Statement)> PolicyStatements(this JsonObject template, string? roleId = null)
    {
        foreach (var (id, policy) in template.Resources("AWS::IAM::Policy"))
        {
            if (roleId is not null && !(policy.Props()["Roles"]?.AsArray().Any(r => r.RefTarget() == roleId) ?? false))
            {
                continue;
            }

            foreach (var statement in policy.Props()["PolicyDocument"]!["Statement"]!.AsArray())
            {
                yield return (id, statement!.AsObject());
            }
        }

        foreach (var (id, role) in template.Resources("AWS::IAM::Role"))
        {
            if (roleId is not null && id != roleId)
            {
                continue;
            }

            foreach (var inline in role.Props()["Policies"]?.AsArray() ?? new JsonArray())
            {
                foreach (var statement in inline!["PolicyDocument"]!["Statement"]!.AsArray())
                {
                    yield return (id, statement!.AsObject());
                }
            }
        }
    }

    /// <summary>The bastion's user data as text; deploy-time values appear as <c>{LogicalId.Attribute}</c>.</summary>
    public static string UserDataText(this JsonObject template)
    {
        static string Render(JsonNode? node) => node switch
        {
            JsonValue v => v.GetValue<string>(),
            JsonObject o when o["Fn::Join"] is JsonArray join => string.Join(join[0]!.GetValue<string>(), join[1]!.AsArray().Select(Render)),
            JsonObject o when o["Fn::GetAtt"] is JsonArray a => $"{{{a[0]}.{a[1]}}}",
            JsonObject o when o["Ref"] is JsonValue r => $"{{{r}}}",
            _ => throw new InvalidOperationException($"unexpected user data node {node?.ToJsonString()}"),
        };

        return Render(template.Single("AWS::EC2::Instance").Resource.Props()["UserData"]!["Fn::Base64"]);
    }

    public static IEnumerable<JsonNode?> AsList(this JsonNode? node) => node switch
    {
        null => Array.Empty<JsonNode?>(),
        JsonArray a => a,
        _ => new[] { node },
    };
}
