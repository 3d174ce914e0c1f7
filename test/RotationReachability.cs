using System.Text.Json.Nodes;
using RdsStack.Library;

namespace RdsStack.Tests;

/// <summary>
/// Reads a synthesized template and says why a secret rotation in it could not run, from the template alone:
/// <list type="bullet">
/// <item>Managed rotation (schedule without a function) must target a secret RDS manages — RDS rotates it from
/// its own infrastructure, so no network path is involved.</item>
/// <item>Lambda rotation (hosted or an explicit function) must run in the VPC, reach Secrets Manager (an interface
/// endpoint with private DNS whose security group admits the function on 443, or a NAT route from every subnet)
/// and reach the database (an ingress rule from the function's security group on the database port).</item>
/// <item>No Serverless Application Repository rotation app (CDK 2.160 pins one on Python 3.9) and no Lambda on a
/// deprecated runtime.</item>
/// </list>
/// </summary>
public static class RotationReachability
{
    public static IReadOnlyList<string> Problems(JsonObject template)
    {
        var problems = new List<string>();
        foreach (var (id, app) in template.Resources("AWS::Serverless::Application"))
        {
            problems.Add($"{id}: a Serverless Application Repository app ({app.Props()["Location"]?.ToJsonString()}) — CDK 2.160's rotation apps run Python 3.9, which Lambda no longer creates");
        }

        foreach (var (id, function) in template.Resources("AWS::Lambda::Function"))
        {
            var runtime = (string?)function.Props()["Runtime"];
            if (runtime is not null && LambdaRuntimeFloor.DeprecatedRuntimes.Contains(runtime))
            {
                problems.Add($"{id}: runtime {runtime} is deprecated; Lambda refuses to create it");
            }
        }

        foreach (var (id, schedule) in template.Resources("AWS::SecretsManager::RotationSchedule"))
        {
            var props = schedule.Props();
            if (props["HostedRotationLambda"] is JsonObject hosted)
            {
                var subnets = RefsIn(hosted["VpcSubnetIds"]).ToList();
                var groups = RefsIn(hosted["VpcSecurityGroupIds"]).ToList();
                CheckLambdaPath(template, id, props, subnets, groups, problems);
            }
            else if (props["RotationLambdaARN"].RefTarget() is { } functionId)
            {
                var vpcConfig = template.Resource(functionId).Props()["VpcConfig"];
                CheckLambdaPath(template, id, props, RefsIn(vpcConfig?["SubnetIds"]).ToList(), RefsIn(vpcConfig?["SecurityGroupIds"]).ToList(), problems);
            }
            else if (props["RotationLambdaARN"] is not null)
            {
                problems.Add($"{id}: rotates with a function outside this template; its network path cannot be checked");
            }
            else
            {
                var target = props["SecretId"]?["Fn::GetAtt"] as JsonArray;
                var managed = target is { Count: 2 } && (string?)target[1] == "MasterUserSecret.SecretArn"
                    && template.Resource((string)target[0]!) is var owner
                    && (string?)owner["Type"] is "AWS::RDS::DBInstance" or "AWS::RDS::DBCluster"
                    && (bool?)owner.Props()["ManageMasterUserPassword"] == true;
                if (!managed)
                {
                    problems.Add($"{id}: a schedule without a rotation function on a secret RDS does not manage: nothing would rotate it");
                }
            }
        }

        return problems;
    }

    private static void CheckLambdaPath(JsonObject template, string id, JsonObject schedule, IReadOnlyList<string> subnets, IReadOnlyList<string> groups, List<string> problems)
    {
        if (subnets.Count == 0 || groups.Count == 0)
        {
            problems.Add($"{id}: the rotation function is not in the VPC, so it cannot reach the database");
            return;
        }

        var viaNat = subnets.All(subnet => RouteTablesOf(template, subnet).Any(table =>
            template.Resources("AWS::EC2::Route").Any(r => r.Resource.Props()["RouteTableId"].RefTarget() == table
                && (string?)r.Resource.Props()["DestinationCidrBlock"] == "0.0.0.0/0" && r.Resource.Props()["NatGatewayId"] is not null)));
        var viaEndpoint = template.Resources("AWS::EC2::VPCEndpoint").Any(e =>
        {
            var props = e.Resource.Props();
            return (string?)props["VpcEndpointType"] == "Interface"
                && (props["ServiceName"]?.ToJsonString() ?? string.Empty).Contains("secretsmanager", StringComparison.Ordinal)
                && (bool?)props["PrivateDnsEnabled"] != false
                && RefsIn(props["SecurityGroupIds"]).Any(endpointGroup => Admits(template, endpointGroup, groups, 443));
        });
        if (!viaNat && !viaEndpoint)
        {
            problems.Add($"{id}: the rotation function's subnets have neither a NAT route nor a Secrets Manager interface endpoint that admits its security group on 443 — it cannot reach Secrets Manager");
        }

        var secretTarget = schedule["SecretId"].RefTarget();
        var databases = template.Resources("AWS::RDS::DBInstance").Concat(template.Resources("AWS::RDS::DBCluster")).ToList();
        var attachment = template.Resources("AWS::SecretsManager::SecretTargetAttachment").FirstOrDefault(a => a.Resource.Props()["SecretId"].RefTarget() == secretTarget || a.Id == secretTarget);
        var database = attachment.Resource is null ? databases.FirstOrDefault() : databases.FirstOrDefault(d => d.Id == attachment.Resource.Props()["TargetId"].RefTarget());
        if (database.Resource is null)
        {
            problems.Add($"{id}: no database for the rotated secret in this template");
            return;
        }

        var port = int.TryParse((string?)database.Resource.Props()["Port"], out var p) ? p : 5432;
        var databaseGroups = RefsIn(database.Resource.Props()["VPCSecurityGroups"] ?? database.Resource.Props()["VpcSecurityGroupIds"]).ToList();
        if (!databaseGroups.Any(g => Admits(template, g, groups, port)))
        {
            problems.Add($"{id}: the database's security group does not admit the rotation function's security group on {port} — it cannot reach the database");
        }
    }

    /// <summary>True when security group <paramref name="groupId"/> admits any of <paramref name="sources"/> (or their VPC's range) on <paramref name="port"/>.</summary>
    private static bool Admits(JsonObject template, string groupId, IReadOnlyList<string> sources, int port) =>
        template.IngressRules().Where(r => r.GroupId == groupId).Any(r =>
        {
            var rule = r.Rule;
            var from = (int?)(rule["FromPort"] as JsonValue) ?? -1;
            var to = (int?)(rule["ToPort"] as JsonValue) ?? -1;
            var protocol = (string?)rule["IpProtocol"];
            var portOk = protocol == "-1" || (protocol == "tcp" && from <= port && port <= to);
            var source = rule["SourceSecurityGroupId"].RefTarget();
            var vpcRange = rule["CidrIp"] is JsonObject cidr && (string?)(cidr["Fn::GetAtt"] as JsonArray)?[1] == "CidrBlock";
            return portOk && ((source is not null && sources.Contains(source)) || vpcRange);
        });

    private static IEnumerable<string> RouteTablesOf(JsonObject template, string subnetId) =>
        template.Resources("AWS::EC2::SubnetRouteTableAssociation")
            .Where(a => a.Resource.Props()["SubnetId"].RefTarget() == subnetId)
            .Select(a => a.Resource.Props()["RouteTableId"].RefTarget()!);

    /// <summary>Every logical id referenced (Ref or Fn::GetAtt) anywhere inside <paramref name="node"/>.</summary>
    private static IEnumerable<string> RefsIn(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o when o.RefTarget() is { } target:
                yield return target;
                break;
            case JsonObject o:
                foreach (var child in o)
                {
                    foreach (var r in RefsIn(child.Value))
                    {
                        yield return r;
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    foreach (var r in RefsIn(item))
                    {
                        yield return r;
                    }
                }

                break;
        }
    }
}
