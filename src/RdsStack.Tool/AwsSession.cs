using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace RdsStack.Tool;

/// <summary>
/// Credentials and region from the standard AWS chain (environment, profiles including SSO, container and
/// instance roles), with failures turned into the command that fixes them.
/// </summary>
public sealed class AwsSession
{
    private AwsSession(AWSCredentials sdkCredentials, RegionEndpoint region, string profile)
    {
        SdkCredentials = sdkCredentials;
        Region = region;
        Profile = profile;
    }

    /// <summary>The SDK's credentials object (for SDK clients).</summary>
    public AWSCredentials SdkCredentials { get; }

    /// <summary>The region of the AWS calls.</summary>
    public RegionEndpoint Region { get; }

    /// <summary>The profile in use (<c>AWS_PROFILE</c>, else <c>default</c>).</summary>
    public string Profile { get; }

    /// <summary>Resolves credentials and region. <paramref name="region"/> overrides the profile's region.</summary>
    public static async Task<AwsSession> ResolveAsync(string? region, CancellationToken cancellationToken)
    {
        var profile = Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
        AWSCredentials credentials;
        try
        {
            credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials();
            _ = await credentials.GetCredentialsAsync().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException or InvalidOperationException)
        {
            throw Explain(e, profile);
        }

        RegionEndpoint? endpoint = region is null ? null : RegionEndpoint.GetBySystemName(region);
        if (endpoint is null)
        {
            try
            {
                endpoint = FallbackRegionFactory.GetRegionEndpoint();
            }
            catch (AmazonClientException)
            {
                endpoint = null;
            }
        }

        if (endpoint is null)
        {
            throw new ToolException($"No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set 'region' in profile '{profile}'.");
        }

        return new AwsSession(credentials, endpoint, profile);
    }

    /// <summary>The credentials as SigV4 needs them.</summary>
    public async Task<AwsCredentials> CurrentCredentialsAsync()
    {
        try
        {
            var current = await SdkCredentials.GetCredentialsAsync();
            return new AwsCredentials(current.AccessKey, current.SecretKey, string.IsNullOrEmpty(current.Token) ? null : current.Token);
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException)
        {
            throw Explain(e, Profile);
        }
    }

    /// <summary>Turns a credential failure into what the person should run.</summary>
    public static ToolException Explain(Exception e, string profile)
    {
        var text = e.ToString();
        if (text.Contains("SSO", StringComparison.OrdinalIgnoreCase) || text.Contains("sso_", StringComparison.Ordinal))
        {
            return new ToolException($"Your AWS SSO session for profile '{profile}' has expired or was never started. Run: aws sso login --profile {profile}", e);
        }

        if (text.Contains("ExpiredToken", StringComparison.OrdinalIgnoreCase) || text.Contains("expired", StringComparison.OrdinalIgnoreCase))
        {
            return new ToolException($"Your AWS credentials (profile '{profile}') have expired. Refresh them: aws sso login --profile {profile} (SSO), or get new temporary credentials.", e);
        }

        return new ToolException(
            "No AWS credentials found. Sign in first: 'aws sso login --profile <your profile>' and set AWS_PROFILE=<your profile> " +
            "(or 'aws configure', or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).",
            e);
    }
}
