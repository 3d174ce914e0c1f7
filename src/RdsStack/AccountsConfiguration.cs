using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>Where one environment is placed, as committed in <c>config/accounts.json</c>.</summary>
public sealed record EnvironmentPlacement
{
    /// <summary>The AWS account id, or null.</summary>
    public string? Account { get; init; }

    /// <summary>The region, or null (the default region).</summary>
    public string? Region { get; init; }

    /// <summary>Explicit zone names, or null (the region's first zones).</summary>
    public IReadOnlyList<string>? AvailabilityZones { get; init; }

    /// <summary>The key administrator role, or null.</summary>
    public string? KeyAdminRoleArn { get; init; }

    /// <summary>The vault that receives a copy of every recovery point, or null.</summary>
    public string? BackupCopyVaultArn { get; init; }

    /// <summary>Days the copy is kept, or null (the plan's retention).</summary>
    public int? BackupCopyRetentionDays { get; init; }

    /// <summary>An existing application security group to admit instead of creating one, or null.</summary>
    public string? AppSecurityGroupId { get; init; }
}

/// <summary>
/// The committed placement of every environment — accounts, regions, zones, the key administrator role and backup copy
/// targets — read from <c>config/accounts.json</c> (<see cref="FileName"/>) and validated before any construct is built.
/// A missing file means nothing is placed: every environment in <see cref="RegionZones.DefaultRegion"/>, in whatever
/// account the deploying credentials point at.
/// </summary>
/// <example>
/// <code>
/// { "environments": {
///     "prod":    { "account": "222222222222", "region": "eu-west-1", "keyAdminRoleArn": "arn:aws:iam::222222222222:role/KeyAdmin",
///                  "backupCopy": { "vaultArn": "arn:aws:backup:eu-central-1:333333333333:backup-vault:rdsstack-prod-copy", "retentionDays": 35 } },
///     "sandbox": { "account": "111111111111", "region": "eu-west-1" } } }
/// </code>
/// </example>
public sealed partial record AccountsConfiguration
{
    /// <summary>The file name inside the configuration directory.</summary>
    public const string FileName = "accounts.json";

    /// <summary>The environment names the file may place.</summary>
    public static readonly IReadOnlyList<string> EnvironmentNames = new[] { "dev", "staging", "prod", "sandbox" };

    private static readonly string[] EnvironmentFields = { "account", "region", "availabilityZones", "keyAdminRoleArn", "backupCopy", "appSecurityGroupId" };

    /// <summary>Placements by environment name (only those the file names).</summary>
    public IReadOnlyDictionary<string, EnvironmentPlacement> Environments { get; init; } = new Dictionary<string, EnvironmentPlacement>();

    /// <summary>The placement of <paramref name="environment"/> (empty when the file does not name it).</summary>
    public EnvironmentPlacement For(string environment) => Environments.TryGetValue(environment, out var placement) ? placement : new EnvironmentPlacement();

    /// <summary>Reads <c>&lt;configDirectory&gt;/accounts.json</c>; an absent file is an empty configuration.</summary>
    public static AccountsConfiguration Load(string configDirectory)
    {
        var path = Path.Combine(configDirectory, FileName);
        return File.Exists(path) ? Parse(File.ReadAllText(path), $"config/{FileName}") : new AccountsConfiguration();
    }

    /// <summary>Parses and validates the file's text; errors name <paramref name="source"/> and the JSON path.</summary>
    public static AccountsConfiguration Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            throw new InvalidSettingException(source, error.Message, "valid JSON: { \"environments\": { \"prod\": { \"account\": \"123456789012\", \"region\": \"eu-west-1\" } } }");
        }

        using (document)
        {
            var root = document.RootElement;
            Require(root.ValueKind == JsonValueKind.Object, source, "$", root, "a JSON object with an 'environments' object");
            foreach (var property in root.EnumerateObject())
            {
                Require(property.Name is "environments" or "$comment", source, $"$.{property.Name}", property.Value, "only 'environments' (and '$comment')");
            }

            var environments = new Dictionary<string, EnvironmentPlacement>();
            if (root.TryGetProperty("environments", out var list))
            {
                Require(list.ValueKind == JsonValueKind.Object, source, "$.environments", list, "an object keyed by environment name");
                foreach (var environment in list.EnumerateObject())
                {
                    var path = $"$.environments.{environment.Name}";
                    Require(EnvironmentNames.Contains(environment.Name), source, path, environment.Value, $"one of {string.Join(", ", EnvironmentNames)}");
                    environments[environment.Name] = ParseEnvironment(environment.Value, source, path);
                }
            }

            return new AccountsConfiguration { Environments = environments };
        }
    }

    private static EnvironmentPlacement ParseEnvironment(JsonElement value, string source, string path)
    {
        Require(value.ValueKind == JsonValueKind.Object, source, path, value, $"an object with {string.Join(", ", EnvironmentFields)}");
        foreach (var field in value.EnumerateObject())
        {
            Require(EnvironmentFields.Contains(field.Name), source, $"{path}.{field.Name}", field.Value, $"one of {string.Join(", ", EnvironmentFields)}");
        }

        string? Text(string name, Func<string, bool> valid, string allowed)
        {
            if (!value.TryGetProperty(name, out var field))
            {
                return null;
            }

            Require(field.ValueKind == JsonValueKind.String && valid(field.GetString()!), source, $"{path}.{name}", field, allowed);
            return field.GetString();
        }

        var region = Text("region", r => RegionPattern().IsMatch(r), "a region name such as eu-west-1");
        IReadOnlyList<string>? zones = null;
        if (value.TryGetProperty("availabilityZones", out var zoneList))
        {
            var ok = zoneList.ValueKind == JsonValueKind.Array && zoneList.GetArrayLength() >= 2
                && zoneList.EnumerateArray().All(z => z.ValueKind == JsonValueKind.String && ZonePattern().IsMatch(z.GetString()!))
                && zoneList.EnumerateArray().Select(z => z.GetString()).Distinct().Count() == zoneList.GetArrayLength();
            Require(ok, source, $"{path}.availabilityZones", zoneList, "two or more distinct zone names of the region, e.g. [\"eu-west-1a\", \"eu-west-1b\"]");
            zones = zoneList.EnumerateArray().Select(z => z.GetString()!).ToArray();
            Require(region is not null, source, $"{path}.availabilityZones", zoneList, "zones only together with 'region'");
            Require(zones.All(z => z.StartsWith(region!, StringComparison.Ordinal) && z.Length == region!.Length + 1), source, $"{path}.availabilityZones", zoneList, $"zones of {region}, e.g. {region}a");
        }

        string? copyVault = null;
        int? copyDays = null;
        if (value.TryGetProperty("backupCopy", out var copy))
        {
            var copyPath = $"{path}.backupCopy";
            Require(copy.ValueKind == JsonValueKind.Object && copy.TryGetProperty("vaultArn", out _), source, copyPath, copy, "{ \"vaultArn\": \"arn:aws:backup:<region>:<account>:backup-vault:<name>\", \"retentionDays\": 35 }");
            foreach (var field in copy.EnumerateObject())
            {
                Require(field.Name is "vaultArn" or "retentionDays", source, $"{copyPath}.{field.Name}", field.Value, "vaultArn, retentionDays");
            }

            var vault = copy.GetProperty("vaultArn");
            Require(vault.ValueKind == JsonValueKind.String && Arns.IsBackupVaultArn(vault.GetString()), source, $"{copyPath}.vaultArn", vault, "an AWS Backup vault ARN such as arn:aws:backup:eu-central-1:333333333333:backup-vault:rdsstack-prod-copy");
            copyVault = vault.GetString();
            if (copy.TryGetProperty("retentionDays", out var days))
            {
                Require(days.ValueKind == JsonValueKind.Number && days.TryGetInt32(out var n) && n is >= 1 and <= 36500, source, $"{copyPath}.retentionDays", days, "1 to 36500 days");
                copyDays = days.GetInt32();
            }
        }

        return new EnvironmentPlacement
        {
            Account = Text("account", Arns.IsAccountId, "a 12-digit AWS account id, e.g. 123456789012"),
            Region = region,
            AvailabilityZones = zones,
            KeyAdminRoleArn = Text("keyAdminRoleArn", Arns.IsRoleArn, "an IAM role ARN such as arn:aws:iam::123456789012:role/KeyAdministrator"),
            BackupCopyVaultArn = copyVault,
            BackupCopyRetentionDays = copyDays,
            AppSecurityGroupId = Text("appSecurityGroupId", g => DeploymentContext.IsSecurityGroupId(g), "a security group id: 'sg-' and 8 or 17 lowercase hex digits, e.g. sg-0123456789abcdef0"),
        };
    }

    private static void Require(bool ok, string source, string path, JsonElement value, string allowed)
    {
        if (!ok)
        {
            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            throw new InvalidSettingException($"{source} {path}", text, allowed);
        }
    }

    /// <summary>Region names: <c>eu-west-1</c>, <c>us-gov-west-1</c>, ...</summary>
    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]\\z")]
    public static partial Regex RegionPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]\\z")]
    private static partial Regex ZonePattern();
}
