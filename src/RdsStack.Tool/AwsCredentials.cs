namespace RdsStack.Tool;

/// <summary>AWS credentials as SigV4 needs them. <see cref="ToString"/> never shows the secret.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials (SSO, assumed roles), or null.</param>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    /// <inheritdoc />
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
