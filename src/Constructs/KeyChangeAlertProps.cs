using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="KeyChangeAlert"/>.</summary>
public sealed class KeyChangeAlertProps
{
    /// <summary>The KMS keys to watch (for example the environment key and the backup vault key).</summary>
    public required IReadOnlyList<IKey> Keys { get; init; }

    /// <summary>The topic the alerts go to; it must be defined in this app (its policy admits the rule).</summary>
    public required ITopic Topic { get; init; }

    /// <summary>
    /// The keys' alias names without <c>alias/</c> (e.g. <c>rdsstack-prod</c>): <c>DeleteAlias</c> and
    /// <c>UpdateAlias</c> name the alias, not the key, in their request. Default none: alias operations are matched
    /// only by the key ARN CloudTrail records in the event's resources.
    /// </summary>
    public IReadOnlyList<string> AliasNames { get; init; } = Array.Empty<string>();

    /// <summary>The KMS API calls that alert. Default: <see cref="KeyChangeAlert.DangerousOperations"/>.</summary>
    public IReadOnlyList<string> EventNames { get; init; } = KeyChangeAlert.DangerousOperations;
}
