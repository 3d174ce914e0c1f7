namespace RdsStack.Tool;

/// <summary>
/// An RDS IAM authentication token: a SigV4-presigned <c>connect</c> request for one database user (service
/// <c>rds-db</c>, valid 900 s), generated locally and used as the PostgreSQL password. The same token as
/// <c>aws rds generate-db-auth-token</c> for the same inputs and time.
/// See https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html
/// </summary>
public static class RdsAuthToken
{
    /// <summary>Validity of a token in seconds (RDS accepts at most 900).</summary>
    public const int ExpiresSeconds = 900;

    /// <summary>Generates the token for <paramref name="user"/> at <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static string Generate(string host, int port, string user, string region, AwsCredentials credentials, DateTime signingTime) =>
        SigV4.Presign(
            host,
            port,
            "/",
            new KeyValuePair<string, string>[] { new("Action", "connect"), new("DBUser", user) },
            "rds-db",
            region,
            credentials,
            signingTime,
            ExpiresSeconds);
}
