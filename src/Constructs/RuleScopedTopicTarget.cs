using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SNS;

namespace RdsStack.Library;

/// <summary>
/// An SNS topic as the target of an EventBridge rule, with the topic policy admitting EventBridge for THAT rule only:
/// <c>sns:Publish</c> by <c>events.amazonaws.com</c> with <c>aws:SourceArn</c> = the rule's ARN (EventBridge's
/// confused-deputy guidance: "for event bus rule targets, the value of aws:SourceArn must be the rule ARN"). CDK's
/// <c>SnsTopic</c> target grants <c>events.amazonaws.com</c> without a condition, so any rule of any account could
/// publish. An encrypted topic's key must also let <see cref="EventBridgeServicePrincipal"/> use it (see
/// <see cref="EnvironmentKey.AllowNotificationServices"/>).
/// </summary>
public sealed class RuleScopedTopicTarget : Amazon.JSII.Runtime.Deputy.DeputyBase, IRuleTarget
{
    /// <summary>The service principal EventBridge publishes to SNS as.</summary>
    public const string EventBridgeServicePrincipal = "events.amazonaws.com";

    private readonly ITopic topic;

    private RuleScopedTopicTarget(ITopic topic) => this.topic = topic;

    /// <summary>
    /// Admits <paramref name="rule"/> in the policy of <paramref name="topic"/> (which must be defined in this app: an
    /// imported topic's policy cannot be changed here) and makes the topic a target of the rule.
    /// </summary>
    public static void Attach(Rule rule, ITopic topic)
    {
        var added = topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EventBridgeRule" + Names.UniqueId(rule),
            Principals = new IPrincipal[] { new ServicePrincipal(EventBridgeServicePrincipal) },
            Actions = new[] { "sns:Publish" },
            Resources = new[] { topic.TopicArn },
            Conditions = new Dictionary<string, object>
            {
                ["ArnEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = rule.RuleArn },
            },
        }));
        if (!added.StatementAdded)
        {
            throw new InvalidSettingException("topic", topic.TopicArn, "a topic defined in this app, whose policy can admit the rule (an imported topic's policy cannot be changed here)");
        }

        rule.AddTarget(new RuleScopedTopicTarget(topic));
    }

    /// <summary>The target: the topic, with no role (EventBridge publishes under the topic policy).</summary>
    public IRuleTargetConfig Bind(IRule rule, string? id = null) => new RuleTargetConfig { Arn = topic.TopicArn };
}
