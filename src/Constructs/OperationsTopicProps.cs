using Amazon.CDK.AWS.KMS;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="OperationsTopic"/>.</summary>
public sealed class OperationsTopicProps
{
    /// <summary>
    /// The environment's key: the topic is encrypted with it. The key must let the publishing services use it
    /// (see <see cref="EnvironmentKey.AllowNotificationServices"/>).
    /// </summary>
    public required IKey EncryptionKey { get; init; }

    /// <summary>The topic's display name (shown as the sender of e-mail notifications), e.g. <c>rdsstack-dev</c>.</summary>
    public required string DisplayName { get; init; }

    /// <summary>E-mail addresses subscribed to the topic (each confirms by e-mail once). Default: none.</summary>
    public IReadOnlyList<string> EmailSubscribers { get; init; } = Array.Empty<string>();

    /// <summary>
    /// HTTPS endpoints subscribed to the topic (for example a chat or paging integration's SNS webhook; it confirms
    /// the subscription itself). Default: none. For Amazon Q Developer in chat applications (AWS Chatbot), add the
    /// topic's ARN to the channel configuration instead.
    /// </summary>
    public IReadOnlyList<string> HttpsSubscribers { get; init; } = Array.Empty<string>();
}
