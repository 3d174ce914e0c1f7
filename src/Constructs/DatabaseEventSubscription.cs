using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// An RDS event subscription (<c>AWS::RDS::EventSubscription</c>) for one DB instance: the chosen event categories
/// (failover, failure, low storage, maintenance, restarts, ...) go to the operations topic as they happen.
/// </summary>
public sealed class DatabaseEventSubscription : Construct
{
    /// <summary>
    /// The event categories RDS publishes for the source type <c>db-instance</c>, exactly as the API spells them
    /// (RDS user guide, "Amazon RDS event categories and event messages").
    /// </summary>
    public static readonly IReadOnlySet<string> DbInstanceCategories = new HashSet<string>(StringComparer.Ordinal)
    {
        "availability", "backup", "configuration change", "creation", "deletion", "failover", "failure", "low storage",
        "maintenance", "notification", "read replica", "recovery", "restoration", "security", "security patching",
    };

    /// <summary>
    /// The categories that tell operators about an outage or a change to the instance: availability (shutdown,
    /// restart), failover, failure, low storage, maintenance, notification (includes RDS restarting an instance
    /// stopped for 7 days), recovery and configuration change.
    /// </summary>
    public static readonly IReadOnlyList<string> OperatorCategories = new[]
    {
        "availability", "failover", "failure", "low storage", "maintenance", "notification", "recovery", "configuration change",
    };

    /// <summary>
    /// The categories AWS Control Tower's proactive control CT.RDS.PR.17 requires of a db-instance subscription:
    /// maintenance, failure and configuration change.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredCategories = new[] { "maintenance", "failure", "configuration change" };

    /// <summary>Creates the subscription.</summary>
    public DatabaseEventSubscription(Construct scope, string id, PostgresDatabase database, ITopic topic, IReadOnlyList<string> categories)
        : base(scope, id)
    {
        if (categories.Count == 0)
        {
            throw new InvalidSettingException("eventCategories", "(empty)", "at least one of " + string.Join(", ", DbInstanceCategories));
        }

        foreach (var category in categories)
        {
            if (!DbInstanceCategories.Contains(category))
            {
                throw new InvalidSettingException("eventCategories", category, "one of " + string.Join(", ", DbInstanceCategories));
            }
        }

        Subscription = new CfnEventSubscription(this, "Subscription", new CfnEventSubscriptionProps
        {
            SnsTopicArn = topic.TopicArn,
            SourceType = "db-instance",
            SourceIds = new[] { database.Instance.InstanceIdentifier },
            EventCategories = categories.ToArray(),
            Enabled = true,
        });
    }

    /// <summary>The subscription resource.</summary>
    public CfnEventSubscription Subscription { get; }
}
