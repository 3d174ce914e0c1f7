using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// The one customer-managed KMS key of an environment: database storage, Performance Insights, the
/// master-credentials secret, bastion volume and every log group of the environment are encrypted
/// with it. Annual rotation is on. The key policy lets CloudWatch Logs in this account and region use
/// the key for this account's log groups only (required for encrypted log groups).
/// </summary>
public sealed class EnvironmentKey : Construct
{
    /// <summary>Creates the key.</summary>
    public EnvironmentKey(Construct scope, string id, EnvironmentKeyProps props)
        : base(scope, id)
    {
        if (string.IsNullOrWhiteSpace(props.Alias) || props.Alias.StartsWith("alias/", StringComparison.Ordinal) || props.Alias.StartsWith("aws", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidSettingException("alias", props.Alias, "a key alias without the 'alias/' prefix that does not start with 'aws'");
        }

        var stack = Stack.Of(this);
        Key = new Key(this, "Key", new KeyProps
        {
            Alias = props.Alias,
            Description = $"RdsStack {props.Alias}: encrypts the database, its snapshots, Performance Insights, the credentials secret, volumes and log groups.",
            EnableKeyRotation = true,
            RemovalPolicy = props.RemovalPolicy,
            PendingWindow = Duration.Days(30),
        });

        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchLogsOfThisAccount",
            Principals = new IPrincipal[] { new ServicePrincipal($"logs.{stack.Region}.amazonaws.com") },
            Actions = new[] { "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:*",
                },
            },
        }));
    }

    /// <summary>The KMS key.</summary>
    public IKey Key { get; }

    /// <summary>
    /// Lets AWS services publish into SNS topics of this account and region encrypted with this key (for example
    /// <c>cloudwatch.amazonaws.com</c> for alarms and <c>events.rds.amazonaws.com</c> for RDS event notifications):
    /// SNS needs the publisher to be allowed <c>kms:GenerateDataKey*</c> and <c>kms:Decrypt</c> on the topic's key.
    /// Limited by the encryption context SNS always sets (<c>kms:EncryptionContext:aws:sns:topicArn</c>) to this
    /// account's topics in this region; which alarms and events may publish is decided by each topic's policy.
    /// See https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (compatibility with AWS services) and
    /// https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html (the same condition).
    /// </summary>
    public void AllowNotificationServices(params string[] servicePrincipals)
    {
        if (servicePrincipals.Length == 0)
        {
            return;
        }

        var stack = Stack.Of(this);
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowNotificationServicesToPublishToEncryptedTopicsOfThisAccount",
            Principals = servicePrincipals.Select(s => (IPrincipal)new ServicePrincipal(s)).ToArray(),
            Actions = new[] { "kms:GenerateDataKey*", "kms:Decrypt" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object> { ["kms:EncryptionContext:aws:sns:topicArn"] = $"arn:{stack.Partition}:sns:{stack.Region}:{stack.Account}:*" },
            },
        }));
    }
}
