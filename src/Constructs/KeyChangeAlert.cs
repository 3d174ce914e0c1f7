using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// An EventBridge rule that sends every dangerous KMS call on the given keys to a topic as it happens: deletion
/// scheduled or cancelled, key disabled, policy replaced, grant revoked, rotation disabled, alias deleted or moved.
/// The 30-day deletion window only protects the data if someone notices; this is how they notice.
/// </summary>
/// <remarks>
/// <para>
/// The events are CloudTrail management events ("AWS API Call via CloudTrail", source <c>aws.kms</c>). EventBridge
/// documents that "to record events with a detail-type value of AWS API Call via CloudTrail, a CloudTrail trail with
/// logging enabled is required": the account (or the organization) must have a trail that logs write management
/// events in this region. AWS Control Tower's organization trail does.
/// </para>
/// <para>
/// A key is matched three ways, any one suffices (<c>$or</c>): its ARN in the CloudTrail record's
/// <c>resources[].ARN</c> (KMS records the resolved key ARN there, and for alias calls the alias ARN too); its id or
/// ARN in <c>requestParameters.keyId</c> (what the caller passed; these operations accept only the key id or ARN,
/// and the request is recorded even when a call is denied); an alias name in <c>requestParameters.aliasName</c>.
/// </para>
/// <para>
/// An alert is a detective control. The preventive one is an organization SCP that denies
/// <c>kms:ScheduleKeyDeletion</c>, <c>kms:DisableKey</c> and <c>kms:PutKeyPolicy</c> on these keys to every principal
/// but the key administrator, which no account administrator can remove.
/// </para>
/// </remarks>
public sealed class KeyChangeAlert : Construct
{
    /// <summary>
    /// The KMS calls that can destroy or take away the data, or prepare to: ScheduleKeyDeletion, CancelKeyDeletion
    /// (someone touched the schedule), DisableKey, PutKeyPolicy, RevokeGrant, DisableKeyRotation, DeleteAlias,
    /// UpdateAlias.
    /// </summary>
    public static readonly IReadOnlyList<string> DangerousOperations = new[]
    {
        "ScheduleKeyDeletion", "CancelKeyDeletion", "DisableKey", "PutKeyPolicy", "RevokeGrant", "DisableKeyRotation", "DeleteAlias", "UpdateAlias",
    };

    /// <summary>Creates the rule and its target.</summary>
    public KeyChangeAlert(Construct scope, string id, KeyChangeAlertProps props)
        : base(scope, id)
    {
        Validate(props);
        Rule = new Rule(this, "Rule", new RuleProps
        {
            Description = "RdsStack: KMS calls that delete, disable, re-policy, revoke grants on or re-alias this stack's keys (CloudTrail management events)",
            EventPattern = Pattern(props),
        });
        RuleScopedTopicTarget.Attach(Rule, props.Topic);
    }

    /// <summary>The EventBridge rule.</summary>
    public Rule Rule { get; }

    private EventPattern Pattern(KeyChangeAlertProps props)
    {
        var stack = Stack.Of(this);
        var aliasArns = props.AliasNames.Select(a => $"arn:{stack.Partition}:kms:{stack.Region}:{stack.Account}:alias/{a}");
        var matchers = new List<object>
        {
            new Dictionary<string, object> { ["resources"] = new Dictionary<string, object> { ["ARN"] = props.Keys.Select(k => k.KeyArn).Concat(aliasArns).ToArray() } },
            new Dictionary<string, object> { ["requestParameters"] = new Dictionary<string, object> { ["keyId"] = props.Keys.SelectMany(k => new[] { k.KeyId, k.KeyArn }).ToArray() } },
        };
        if (props.AliasNames.Count > 0)
        {
            matchers.Add(new Dictionary<string, object> { ["requestParameters"] = new Dictionary<string, object> { ["aliasName"] = props.AliasNames.Select(a => $"alias/{a}").ToArray() } });
        }

        return new EventPattern
        {
            Source = new[] { "aws.kms" },
            DetailType = new[] { "AWS API Call via CloudTrail" },
            Detail = new Dictionary<string, object>
            {
                ["eventSource"] = new[] { "kms.amazonaws.com" },
                ["eventName"] = props.EventNames.ToArray(),
                ["$or"] = matchers.ToArray(),
            },
        };
    }

    private static void Validate(KeyChangeAlertProps props)
    {
        if (props.Keys.Count == 0)
        {
            throw new InvalidSettingException("keys", "(empty)", "one or more KMS keys to watch");
        }

        if (props.EventNames.Count == 0 || props.EventNames.Any(e => string.IsNullOrWhiteSpace(e) || e.StartsWith("kms:", StringComparison.Ordinal)))
        {
            throw new InvalidSettingException("eventNames", string.Join(",", props.EventNames), "one or more KMS API names as CloudTrail records them, e.g. ScheduleKeyDeletion (no kms: prefix)");
        }

        foreach (var alias in props.AliasNames)
        {
            if (string.IsNullOrWhiteSpace(alias) || alias.StartsWith("alias/", StringComparison.Ordinal))
            {
                throw new InvalidSettingException("aliasNames", alias, "alias names without the 'alias/' prefix, e.g. rdsstack-prod");
            }
        }
    }
}
