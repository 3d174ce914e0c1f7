using System.Text;
using System.Text.Json;

namespace RdsStack.Tool;

/// <summary>
/// Reads the master password from the RDS-managed secret with one SigV4-signed <c>secretsmanager.GetSecretValue</c>
/// call (AWSSDK.SecretsManager is not available here). Chosen over shelling out to the <c>aws</c> CLI: no second
/// tool to install and keep at a compatible version, the same credential chain as the rest of the tool, the
/// secret never passes through another process's output, and the signer is the one tested against botocore.
/// The password is returned in memory only, never printed or written.
/// </summary>
public sealed class SecretsManagerReader(HttpClient http, Uri endpoint, string region)
{
    /// <summary>
    /// The regional endpoint, or <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c> when set (the SDKs' standard override,
    /// e.g. for a VPC endpoint).
    /// </summary>
    public static Uri EndpointFor(string region) =>
        Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_SECRETS_MANAGER") is { Length: > 0 } url
            ? new Uri(url)
            : new Uri($"https://secretsmanager.{region}.amazonaws.com/");

    /// <summary>Reads the <c>password</c> of the secret's JSON value.</summary>
    public async Task<string> ReadPasswordAsync(string secretArn, AwsCredentials credentials, DateTime now, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { SecretId = secretArn }));
        var headers = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/x-amz-json-1.1",
            ["X-Amz-Target"] = "secretsmanager.GetSecretValue",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", headers["X-Amz-Target"]);
        foreach (var (name, value) in SigV4.SignHeaders("POST", endpoint, headers, body, "secretsmanager", region, credentials, now))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var type = TryRead(text, "__type") ?? response.StatusCode.ToString();
            var kind = type.Split('#').Last();
            throw kind switch
            {
                "ResourceNotFoundException" => new ToolException($"The master secret {secretArn} does not exist: is the stack deployed?"),
                "AccessDeniedException" => new ToolException($"Access denied reading the master secret {secretArn}: users sync needs secretsmanager:GetSecretValue on it (and kms:Decrypt through Secrets Manager). An administrator's role has it; daily work does not need it."),
                "ExpiredTokenException" or "UnrecognizedClientException" => new ToolException($"AWS refused the credentials ({kind}): refresh them, e.g. aws sso login --profile {Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default"}"),
                _ => new ToolException($"Secrets Manager refused GetSecretValue: {kind} {TryRead(text, "message") ?? TryRead(text, "Message")}"),
            };
        }

        var secretString = TryRead(text, "SecretString") ?? throw new ToolException($"The secret {secretArn} has no SecretString.");
        return TryRead(secretString, "password") ?? throw new ToolException($"The secret {secretArn} holds no 'password' field.");
    }

    private static string? TryRead(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
