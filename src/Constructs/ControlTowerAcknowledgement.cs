using System.Text.RegularExpressions;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// Records that an AWS Control Tower proactive control (a CloudFormation Guard rule such as <c>CT.RDS.PR.20</c>) is
/// acknowledged on one resource, with a reason, as template metadata
/// <c>control_tower.acknowledged_controls: [ { id, reason } ]</c> — the same model as <see cref="NagAcknowledgement"/>.
/// </summary>
/// <remarks>
/// The Control Tower rules do not read any suppression metadata (unlike cfn-guard's registry rules, which read
/// <c>Metadata.guard.SuppressedRules</c>), and a real Control Tower hook would still block the resource. The
/// acknowledgement is therefore read only by <c>npm run review</c>: it turns the finding into a reviewed one with a
/// reason, fails when it is no longer used, and is refused for a control the organisation enforces
/// (<c>config/controls.json</c>), because there the deploy itself would fail. There is deliberately no stack-wide
/// or control-wide variant.
/// </remarks>
public static partial class ControlTowerAcknowledgement
{
    /// <summary>The metadata key on the resource.</summary>
    public const string MetadataKey = "control_tower";

    /// <summary>The list under <see cref="MetadataKey"/>.</summary>
    public const string ListKey = "acknowledged_controls";

    /// <summary>
    /// CDK context key: the control ids the organisation enforces (a list). <see cref="Add"/> refuses to acknowledge
    /// any of them, because the organisation's hook blocks the deploy whatever the template says.
    /// </summary>
    public const string EnforcedControlsContextKey = "rdsstack:enforcedControls";

    /// <summary>
    /// Acknowledges each of <paramref name="controlIds"/> (e.g. <c>CT.RDS.PR.20</c>) on <paramref name="construct"/>
    /// (an L1 resource, or an L2 whose default child is one) for <paramref name="reason"/>.
    /// </summary>
    public static void Add(IConstruct construct, string reason, params string[] controlIds)
    {
        if (controlIds.Length == 0)
        {
            throw new ArgumentException("Name at least one Control Tower control id, e.g. 'CT.RDS.PR.20'.", nameof(controlIds));
        }

        foreach (var controlId in controlIds)
        {
            if (controlId is null || !IsControlId(controlId))
            {
                throw new ArgumentException($"'{controlId}' is not a Control Tower proactive control id: 'CT.<SERVICE>.PR.<number>', e.g. 'CT.RDS.PR.20'.", nameof(controlIds));
            }

            if (EnforcedControls(construct).Contains(controlId))
            {
                throw new InvalidSettingException("enforcedControls", controlId, $"controls that are not enforced: {controlId} is enforced by the organisation, so acknowledging it on '{construct.Node.Path}' in stack '{Amazon.CDK.Stack.Of(construct).StackName}' cannot make the deploy pass. Make the resource meet {controlId}, or remove it from enforcedControls if the organisation does not enforce it");
            }

            AcknowledgementMetadata.Add(construct, MetadataKey, ListKey, controlId, reason, "Control Tower control", "CT.RDS.PR.20");
        }
    }

    private static IReadOnlySet<string> EnforcedControls(IConstruct construct) =>
        construct.Node.TryGetContext(EnforcedControlsContextKey) switch
        {
            string single => new HashSet<string>(single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal),
            System.Collections.IEnumerable items => new HashSet<string>(items.Cast<object?>().Select(i => Convert.ToString(i, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty), StringComparer.Ordinal),
            _ => new HashSet<string>(StringComparer.Ordinal),
        };

    /// <summary>True when <paramref name="id"/> has the shape of a proactive control id (<c>CT.RDS.PR.20</c>).</summary>
    public static bool IsControlId(string id) => ControlIdPattern().IsMatch(id);

    [GeneratedRegex("^CT\\.[A-Z0-9]+\\.PR\\.[0-9]+\\z")]
    private static partial Regex ControlIdPattern();
}
