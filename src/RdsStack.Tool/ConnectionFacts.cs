using System.Text.Json;
using System.Text.Json.Serialization;

namespace RdsStack.Tool;

/// <summary>
/// What a stack publishes about reaching its database, as the JSON value of the SSM String parameter
/// <c>/rdsstack/&lt;stack name&gt;/connection</c> (written by <c>EnvironmentStack</c>). The same JSON in a file
/// (<c>--facts</c>) serves offline use and tests; there, <see cref="BastionFacts.HostKeys"/> may carry the host keys
/// that otherwise come from the bastion's own parameter.
/// </summary>
public sealed record ConnectionFacts
{
    /// <summary>The SSM parameter holding a stack's facts.</summary>
    public static string ParameterName(string stackName) => $"/rdsstack/{stackName}/connection";

    /// <summary>Stack name, e.g. <c>RdsStack-sandbox-alice</c>.</summary>
    public required string StackName { get; init; }

    /// <summary>Environment name: <c>dev</c>, <c>staging</c>, <c>prod</c> or <c>sandbox</c>.</summary>
    public required string Environment { get; init; }

    /// <summary>The stack's region.</summary>
    public required string Region { get; init; }

    /// <summary>The database.</summary>
    public required DatabaseFacts Database { get; init; }

    /// <summary>The bastion, or null when the environment has none.</summary>
    public BastionFacts? Bastion { get; init; }

    /// <summary>Parses and checks the JSON; <paramref name="source"/> names where it came from in errors.</summary>
    public static ConnectionFacts Parse(string json, string source)
    {
        ConnectionFacts? facts;
        try
        {
            facts = JsonSerializer.Deserialize<ConnectionFacts>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ToolException($"The connection facts in {source} are not valid: {e.Message}", e);
        }

        if (facts is null)
        {
            throw new ToolException($"The connection facts in {source} are empty.");
        }

        Require(facts.StackName, "stackName");
        Require(facts.Environment, "environment");
        Require(facts.Region, "region");
        Require(facts.Database.Endpoint, "database.endpoint");
        Require(facts.Database.Name, "database.name");
        Require(facts.Database.MasterUsername, "database.masterUsername");
        if (facts.Database.Port is < 1 or > 65535)
        {
            throw new ToolException($"The connection facts in {source} have no valid database.port: '{facts.Database.Port}'.");
        }

        if (facts.Bastion is { } bastion)
        {
            if (string.IsNullOrWhiteSpace(bastion.PublicDnsName) && string.IsNullOrWhiteSpace(bastion.PublicIp))
            {
                throw new ToolException($"The connection facts in {source} name no bastion address (bastion.publicDnsName or bastion.publicIp).");
            }

            Require(bastion.HostKeysParameter, "bastion.hostKeysParameter");
        }

        return facts;

        void Require(string? value, string path)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ToolException($"The connection facts in {source} lack '{path}'.");
            }
        }
    }

    /// <summary>Serializes to the published shape.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}

/// <summary>The database part of <see cref="ConnectionFacts"/>.</summary>
public sealed record DatabaseFacts
{
    /// <summary>Endpoint address, the name the server certificate is issued for.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Port, 5432.</summary>
    public required int Port { get; init; }

    /// <summary>Database name.</summary>
    public required string Name { get; init; }

    /// <summary>The master user (administration and <c>users sync</c> only).</summary>
    public required string MasterUsername { get; init; }

    /// <summary>ARN of the RDS-managed secret with the master password.</summary>
    public string? SecretArn { get; init; }

    /// <summary>The instance's resource id (<c>db-…</c>), the resource of <c>rds-db:connect</c>.</summary>
    public string? ResourceId { get; init; }
}

/// <summary>The bastion part of <see cref="ConnectionFacts"/>.</summary>
public sealed record BastionFacts
{
    /// <summary>Instance id (Session Manager).</summary>
    public string? InstanceId { get; init; }

    /// <summary>Public DNS name of the Elastic IP.</summary>
    public string? PublicDnsName { get; init; }

    /// <summary>The Elastic IP.</summary>
    public string? PublicIp { get; init; }

    /// <summary>SSH port, 22.</summary>
    public int SshPort { get; init; } = 22;

    /// <summary>SSM String parameter with the bastion's host public keys, one <c>&lt;type&gt; &lt;base64&gt;</c> per line.</summary>
    public required string HostKeysParameter { get; init; }

    /// <summary>SSM SecureString with the generated private key, or null when the operators' own keys are used.</summary>
    public string? GeneratedKeyParameter { get; init; }

    /// <summary>Login for the generated key (<c>ec2-user</c>), or null.</summary>
    public string? GeneratedKeyUser { get; init; }

    /// <summary>Offline use only (a <c>--facts</c> file): the host keys themselves, in the parameter's format.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HostKeys { get; init; }

    /// <summary>The address to connect to: the DNS name, else the IP.</summary>
    public string Address => string.IsNullOrWhiteSpace(PublicDnsName) ? PublicIp! : PublicDnsName!;
}
