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

    /// <summary>
    /// Withdraws the acknowledgements of <paramref name="ruleIds"/> on <paramref name="construct"/>: for a construct
    /// that makes them untrue (an AWS Backup plan that now covers the database withdraws its RDSInBackupPlan one).
    /// </summary>
    public static void Remove(IConstruct construct, params string[] ruleIds) =>
        AcknowledgementMetadata.Remove(construct, "cdk_nag", "rules_to_suppress", ruleIds);

    private static void AddOne(IConstruct construct, string ruleId, string reason) =>
        AcknowledgementMetadata.Add(construct, "cdk_nag", "rules_to_suppress", ruleId, reason, "cdk-nag rule", "AwsSolutions-RDS11");
}
