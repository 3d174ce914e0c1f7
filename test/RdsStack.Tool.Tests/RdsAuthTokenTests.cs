using System.Globalization;
using System.Web;

namespace RdsStack.Tool.Tests;

/// <summary>
/// The IAM token is checked against botocore (<c>aws rds generate-db-auth-token</c>): the CLI signs with the
/// current time, so the test reads its X-Amz-Date and regenerates the token with that exact timestamp.
/// </summary>
public sealed class RdsAuthTokenTests
{
    private const string Host = "rdsstack-sandbox-alice.c0abcdefgh12.eu-west-1.rds.amazonaws.com";

    public static TheoryData<string, int, string, string, string?> Cases => new()
    {
        { Host, 5432, "alice", "eu-west-1", null },
        { Host, 5432, "alice", "eu-west-1", "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQD+session/token=with+specials" },
        { "db.example.internal", 15432, "user_with_underscore", "us-east-1", null },
        { "orders.cluster-abc.us-west-2.rds.amazonaws.com", 443, "o'brien+ops", "us-west-2", "FQoGZXIvYXdzEPT//////////wEaDM" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTokenIsTheOneBotocoreGenerates(string host, int port, string user, string region, string? sessionToken)
    {
        var credentials = new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken);

        var expected = Botocore.Aws(
            Botocore.Environment(credentials),
            "rds", "generate-db-auth-token", "--hostname", host, "--port", port.ToString(CultureInfo.InvariantCulture), "--username", user, "--region", region);
        var amzDate = HttpUtility.ParseQueryString(new Uri("https://" + expected).Query)["X-Amz-Date"]!;
        var signingTime = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        var actual = RdsAuthToken.Generate(host, port, user, region, credentials, signingTime);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TheTokenIsValidFor900SecondsAndCarriesTheSessionToken()
    {
        var token = RdsAuthToken.Generate(Host, 5432, "alice", "eu-west-1", new AwsCredentials("AKID", "secret", "session/token"), new DateTime(2026, 11, 26, 18, 0, 0, DateTimeKind.Utc));

        Assert.StartsWith($"{Host}:5432/?Action=connect&DBUser=alice&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261126%2Feu-west-1%2Frds-db%2Faws4_request&X-Amz-Date=20261126T180000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=session%2Ftoken&X-Amz-Signature=", token);
    }
}
