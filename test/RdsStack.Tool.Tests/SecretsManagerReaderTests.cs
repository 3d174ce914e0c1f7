using System.Globalization;

namespace RdsStack.Tool.Tests;

/// <summary>
/// The master password read: one SigV4-signed GetSecretValue. The signature is compared with botocore's
/// <c>SigV4Auth</c> for the same request and time; the call itself runs against a local HTTP stub.
/// </summary>
public sealed class SecretsManagerReaderTests
{
    private const string SecretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-4e5f-AbCdEf";
    private static readonly DateTime SigningTime = new(2026, 11, 26, 18, 30, 15, DateTimeKind.Utc);

    [Theory]
    [InlineData(null)]
    [InlineData("IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQD+session")]
    public void The_request_signature_is_the_one_botocore_computes(string? sessionToken)
    {
        var credentials = new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken);
        var url = new Uri("https://secretsmanager.eu-west-1.amazonaws.com/");
        var body = $"{{\"SecretId\":\"{SecretArn}\"}}";
        var headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.1", ["X-Amz-Target"] = "secretsmanager.GetSecretValue" };

        var signed = SigV4.SignHeaders("POST", url, headers, System.Text.Encoding.UTF8.GetBytes(body), "secretsmanager", "eu-west-1", credentials, SigningTime);

        var script = $$"""
            import datetime, botocore.auth
            from unittest import mock
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            request = AWSRequest(method="POST", url="{{url}}", data={{Py(body)}}.encode(), headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"})
            with mock.patch("botocore.auth.get_current_datetime", return_value=datetime.datetime(2026, 11, 26, 18, 30, 15)):
                botocore.auth.SigV4Auth(Credentials("{{credentials.AccessKeyId}}", "{{credentials.SecretAccessKey}}", {{(sessionToken is null ? "None" : Py(sessionToken))}}), "secretsmanager", "eu-west-1").add_auth(request)
            print(request.headers["Authorization"])
            """;
        var expected = Botocore.RunPython(script, Botocore.Environment(credentials));

        Assert.Equal(expected, signed["Authorization"]);
        Assert.Equal("20261126T183015Z", signed["X-Amz-Date"]);
        Assert.Equal(sessionToken, signed.GetValueOrDefault("X-Amz-Security-Token"));
    }

    [Fact]
    public async Task The_password_comes_from_the_secrets_json_and_the_call_is_signed()
    {
        using var stub = new LocalHttpStub(_ => (200, "application/x-amz-json-1.1", """{"ARN":"x","SecretString":"{\"username\":\"dbadmin\",\"password\":\"s3cr3t-\\\"quoted\\\"\"}"}"""));
        using var http = new HttpClient();

        var password = await new SecretsManagerReader(http, stub.Url, "eu-west-1").ReadPasswordAsync(SecretArn, new AwsCredentials("AKID", "secret", "token"), SigningTime, CancellationToken.None);

        Assert.Equal("s3cr3t-\"quoted\"", password);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("secretsmanager.GetSecretValue", request.Headers["X-Amz-Target"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=", request.Headers["Authorization"]);
        Assert.Equal($"{{\"SecretId\":\"{SecretArn}\"}}", request.Body);
    }

    [Theory]
    [InlineData("AccessDeniedException", "secretsmanager:GetSecretValue")]
    [InlineData("ResourceNotFoundException", "does not exist")]
    [InlineData("ExpiredTokenException", "aws sso login")]
    public async Task Refusals_say_what_is_missing(string type, string expected)
    {
        using var stub = new LocalHttpStub(_ => (400, "application/x-amz-json-1.1", $$"""{"__type":"{{type}}","message":"no"}"""));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<ToolException>(() => new SecretsManagerReader(http, stub.Url, "eu-west-1").ReadPasswordAsync(SecretArn, new AwsCredentials("AKID", "secret", null), SigningTime, CancellationToken.None));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("secret\"", error.Message);
    }

    private static string Py(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
