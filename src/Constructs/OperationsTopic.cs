using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// The one SNS topic of an environment that every alarm and RDS event goes to: encrypted with the environment
/// key, refusing any request not made over TLS (a topic policy on <c>aws:SecureTransport</c>), publishable by
/// CloudWatch alarms and RDS event notifications of this account only, with the subscribers from configuration.
/// </summary>
public sealed partial class OperationsTopic : Construct
{
    /// <summary>The service principals that publish into the topic: CloudWatch alarms and RDS event notifications.</summary>
    public static readonly IReadOnlyList<string> PublishingServices = new[] { "cloudwatch.amazonaws.com", "events.rds.amazonaws.com" };

    /// <summary>Creates the topic.</summary>
    public OperationsTopic(Construct scope, string id, OperationsTopicProps props)
        : base(scope, id)
    {
        Validate(props);
        Topic = CreateTopic(props);
        AllowServicesToPublish();
        Subscribe(props);
    }

    /// <summary>The SNS topic.</summary>
    public Topic Topic { get; }

    /// <summary>The topic's ARN.</summary>
    public string TopicArn => Topic.TopicArn;

    private Topic CreateTopic(OperationsTopicProps props) => new(this, "Topic", new TopicProps
    {
        DisplayName = props.DisplayName,
        MasterKey = props.EncryptionKey,
        EnforceSSL = true,
    });

    /// <summary>Lets CloudWatch alarms and RDS events of this account publish; the key policy must allow them too.</summary>
    private void AllowServicesToPublish()
    {
        var stack = Stack.Of(this);
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AlarmsAndRdsEventsOfThisAccount",
            Principals = PublishingServices.Select(s => (IPrincipal)new ServicePrincipal(s)).ToArray(),
            Actions = new[] { "sns:Publish" },
            Resources = new[] { Topic.TopicArn },
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            },
        }));
    }

    private void Subscribe(OperationsTopicProps props)
    {
        foreach (var email in props.EmailSubscribers)
        {
            Topic.AddSubscription(new EmailSubscription(email));
        }

        foreach (var url in props.HttpsSubscribers)
        {
            Topic.AddSubscription(new UrlSubscription(url, new UrlSubscriptionProps { Protocol = SubscriptionProtocol.HTTPS }));
        }
    }

    private static void Validate(OperationsTopicProps props)
    {
        foreach (var email in props.EmailSubscribers)
        {
            if (email is null || !EmailPattern().IsMatch(email))
            {
                throw new InvalidSettingException("emailSubscribers", email, "an e-mail address, e.g. oncall@example.com");
            }
        }

        foreach (var url in props.HttpsSubscribers)
        {
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new InvalidSettingException("httpsSubscribers", url, "an absolute https:// URL");
            }
        }
    }

    [GeneratedRegex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\z")]
    private static partial Regex EmailPattern();
}
