using Amazon.CDK;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// Records that a cdk-nag rule is acknowledged on one resource, with a reason, as template metadata
/// (<c>cdk_nag.rules_to_suppress</c>) — the format cdk-nag reads from any template and the place a
/// security reviewer reads it. There is deliberately no stack-wide variant: every acknowledgement
/// sits on the resource it is about.
/// </summary>
public static class NagAcknowledgement
{
    /// <summary>The minimum length of a reason: long enough to say what, why it is safe and what compensates.</summary>
    public const int MinimumReasonLength = 40;

    /// <summary>
    /// Acknowledges each of <paramref name="ruleIds"/> on <paramref name="construct"/> (an L1 resource, or an L2
    /// whose default child is one) for <paramref name="reason"/>.
    /// </summary>
    public static void Add(IConstruct construct, string reason, params string[] ruleIds)
    {
        if (ruleIds.Length == 0)
        {
            throw new ArgumentException("Name at least one cdk-nag rule id, e.g. 'AwsSolutions-RDS11'.", nameof(ruleIds));
        }

        foreach (var ruleId in ruleIds)
        {
            AddOne(construct, ruleId, reason);
        }
    }

    private static void AddOne(IConstruct construct, string ruleId, string reason)
    {
        if (string.IsNullOrWhiteSpace(ruleId))
        {
            throw new ArgumentException("A cdk-nag rule id is required, e.g. 'AwsSolutions-RDS11'.", nameof(ruleId));
        }

        if (reason is null || reason.Trim().Length < MinimumReasonLength)
        {
            throw new ArgumentException($"The acknowledgement of {ruleId} needs a reason of at least {MinimumReasonLength} characters saying what, why it is safe and what compensates.", nameof(reason));
        }

        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"'{construct.Node.Path}' is not a CloudFormation resource and has no default child resource to carry the acknowledgement of {ruleId}.", nameof(construct));

        var existing = resource.GetMetadata("cdk_nag") as IDictionary<string, object>;
        var rules = new List<object>();
        if (existing is not null && existing.TryGetValue("rules_to_suppress", out var previous) && previous is IEnumerable<object> list)
        {
            rules.AddRange(list.Where(r => r is not IDictionary<string, object> d || !Equals(d["id"], ruleId)));
        }

        rules.Add(new Dictionary<string, object> { ["id"] = ruleId, ["reason"] = reason.Trim() });
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules.ToArray() });
    }
}
