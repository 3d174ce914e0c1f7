using System.Globalization;
using System.Text.Json;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>The subscribers of one environment's operations topic.</summary>
public sealed record OperationsSubscribers
{
    /// <summary>E-mail addresses.</summary>
    public IReadOnlyList<string> Email { get; init; } = Array.Empty<string>();

    /// <summary>HTTPS endpoints.</summary>
    public IReadOnlyList<string> Https { get; init; } = Array.Empty<string>();
}

/// <summary>
/// <c>config/operations.json</c>, parsed and validated before any construct is built: the working hours of
/// environments that stop at night and the subscribers of each environment's operations topic. An error names the
/// file, the JSON path, the value and what is allowed.
/// </summary>
public sealed record OperationsConfig
{
    /// <summary>The file name inside the configuration directory.</summary>
    public const string FileName = "operations.json";

    /// <summary>IANA time zone of the working hours.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Working days, as a cron day-of-week field (e.g. <c>MON-FRI</c>).</summary>
    public required string WorkingDays { get; init; }

    /// <summary>Start of the working day.</summary>
    public required TimeOnly Start { get; init; }

    /// <summary>End of the working day.</summary>
    public required TimeOnly Stop { get; init; }

    /// <summary>Subscribers by environment name.</summary>
    public required IReadOnlyDictionary<string, OperationsSubscribers> Subscribers { get; init; }

    /// <summary>The subscribers of <paramref name="environment"/> (none when the file names none).</summary>
    public OperationsSubscribers SubscribersOf(string environment) =>
        Subscribers.TryGetValue(environment, out var subscribers) ? subscribers : new OperationsSubscribers();

    /// <summary>Reads <c>operations.json</c> from <paramref name="configDirectory"/>.</summary>
    public static OperationsConfig Load(string configDirectory, IReadOnlyCollection<string> environments)
    {
        var path = Path.Combine(configDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidSettingException($"{DeploymentContext.ConfigDirKey}", configDirectory, $"a directory holding {FileName} (the repository's config/ directory; cdk.json's folder by default)");
        }

        using var document = ParseFile(path);
        return Parse(document.RootElement, FileName, environments);
    }

    /// <summary>Parses the JSON of <c>operations.json</c>; <paramref name="file"/> names it in errors.</summary>
    public static OperationsConfig Parse(JsonElement root, string file, IReadOnlyCollection<string> environments)
    {
        InvalidSettingException Bad(string jsonPath, string? value, string allowed) => new($"{file}: {jsonPath}", value, allowed);

        JsonElement Child(JsonElement parent, string parentPath, string name)
        {
            if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
            {
                throw Bad($"{parentPath}.{name}", null, "present");
            }

            return value;
        }

        string Text(JsonElement parent, string parentPath, string name)
        {
            var value = Child(parent, parentPath, name);
            return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Bad($"{parentPath}.{name}", value.GetRawText(), "a string");
        }

        TimeOnly Time(JsonElement parent, string parentPath, string name)
        {
            var text = Text(parent, parentPath, name);
            return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                ? time
                : throw Bad($"{parentPath}.{name}", text, "a local time HH:mm, e.g. 08:00");
        }

        IReadOnlyList<string> List(JsonElement parent, string parentPath, string name)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                return Array.Empty<string>();
            }

            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            {
                throw Bad($"{parentPath}.{name}", value.GetRawText(), "an array of strings");
            }

            return value.EnumerateArray().Select(v => v.GetString()!).ToArray();
        }

        var hours = Child(root, "$", "workingHours");
        var config = new OperationsConfig
        {
            TimeZone = Text(hours, "$.workingHours", "timeZone"),
            WorkingDays = Text(hours, "$.workingHours", "workingDays"),
            Start = Time(hours, "$.workingHours", "start"),
            Stop = Time(hours, "$.workingHours", "stop"),
            Subscribers = new Dictionary<string, OperationsSubscribers>(),
        };

        var subscribers = new Dictionary<string, OperationsSubscribers>();
        var byEnvironment = Child(root, "$", "subscribers");
        if (byEnvironment.ValueKind != JsonValueKind.Object)
        {
            throw Bad("$.subscribers", byEnvironment.GetRawText(), "an object keyed by environment name");
        }

        foreach (var environment in byEnvironment.EnumerateObject())
        {
            var at = $"$.subscribers.{environment.Name}";
            if (!environments.Contains(environment.Name))
            {
                throw Bad(at, environment.Name, "an environment name: " + string.Join(", ", environments));
            }

            foreach (var key in environment.Value.EnumerateObject().Select(p => p.Name).Where(n => n is not ("email" or "https")))
            {
                throw Bad($"{at}.{key}", key, "email or https");
            }

            var entry = new OperationsSubscribers { Email = List(environment.Value, at, "email"), Https = List(environment.Value, at, "https") };
            // The topic construct checks each address; checking here too names the file and path in the message.
            foreach (var (email, index) in entry.Email.Select((e, i) => (e, i)))
            {
                if (!email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace))
                {
                    throw Bad($"{at}.email[{index}]", email, "an e-mail address of your team, e.g. oncall@yourcompany.com");
                }

                if (IsReservedDomain(email[(email.LastIndexOf('@') + 1)..]))
                {
                    throw Bad($"{at}.email[{index}]", email, "a deliverable address: example.com/.org/.net and the .example, .invalid, .test and .localhost domains are reserved (RFC 2606) and reach nobody");
                }
            }

            foreach (var (url, index) in entry.Https.Select((u, i) => (u, i)))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || IsReservedDomain(uri.Host))
                {
                    throw Bad($"{at}.https[{index}]", url, "an absolute https:// URL on a real host (not a reserved example domain)");
                }
            }

            subscribers[environment.Name] = entry;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(config.TimeZone, out _) || (!config.TimeZone.Contains('/', StringComparison.Ordinal) && config.TimeZone != "UTC"))
        {
            throw Bad("$.workingHours.timeZone", config.TimeZone, "an IANA time zone name, e.g. Europe/Dublin or UTC");
        }

        if (!WorkingHoursSchedule.IsValidWorkingDays(config.WorkingDays))
        {
            throw Bad("$.workingHours.workingDays", config.WorkingDays, "a cron day-of-week field of MON..SUN names, ranges and lists, e.g. MON-FRI");
        }

        if (config.Start >= config.Stop)
        {
            throw Bad("$.workingHours.stop", config.Stop.ToString("HH:mm", CultureInfo.InvariantCulture), $"a time after start ({config.Start.ToString("HH:mm", CultureInfo.InvariantCulture)}) on the same day");
        }

        return config with { Subscribers = subscribers };
    }

    private static JsonDocument ParseFile(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException error)
        {
            throw new InvalidSettingException(FileName, error.Message, "valid JSON");
        }
    }

    /// <summary>True for the domains RFC 2606 reserves for documentation and tests: mail sent there reaches nobody.</summary>
    public static bool IsReservedDomain(string domain)
    {
        var d = domain.Trim().TrimEnd('.').ToLowerInvariant();
        return d is "example.com" or "example.org" or "example.net" || d.EndsWith(".example.com", StringComparison.Ordinal)
            || d.EndsWith(".example.org", StringComparison.Ordinal) || d.EndsWith(".example.net", StringComparison.Ordinal)
            || d.Split('.').Last() is "example" or "invalid" or "test" or "localhost";
    }
}
