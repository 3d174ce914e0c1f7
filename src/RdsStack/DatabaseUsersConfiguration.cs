using System.Text.Json;
using System.Text.RegularExpressions;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// The committed declaration of who logs in to each environment's database, <c>config/database-users.json</c>, keyed by
/// environment name (the same file <c>rdsstack users sync</c> applies inside the database):
/// <code>
/// { "dev": { "application": { "app_user": "readwrite" }, "people": { "alice": "owner", "bob": "readonly" } } }
/// </code>
/// The app reads the <c>people</c> of each environment: they are the only database users that environment's operator
/// policy lets anyone <c>rds-db:connect</c> as. Parsed and validated here, before any construct is built; every error
/// names the file and the JSON path. A missing file, or an environment without an entry, declares nobody: that
/// environment's operator policy then has no <c>rds-db:connect</c> statement at all.
/// </summary>
public sealed partial class DatabaseUsersConfiguration
{
    /// <summary>The file's name inside the configuration directory.</summary>
    public const string FileName = "database-users.json";

    /// <summary>The group roles a login may be given (the ones <c>rdsstack users sync</c> manages).</summary>
    public static readonly IReadOnlyList<string> GroupRoles = new[] { "readonly", "readwrite", "owner" };

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> people;

    private DatabaseUsersConfiguration(string path, IReadOnlyDictionary<string, IReadOnlyList<string>> people)
    {
        Path = path;
        this.people = people;
    }

    /// <summary>Nobody declared anywhere: every operator policy is without <c>rds-db:connect</c>.</summary>
    public static DatabaseUsersConfiguration Nobody { get; } = new(FileName, new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The people declared for <paramref name="environment"/>, in name order (empty when none are).</summary>
    public IReadOnlyList<string> PeopleOf(string environment) =>
        people.TryGetValue(environment, out var names) ? names : Array.Empty<string>();

    /// <summary>
    /// Reads <c>database-users.json</c> from <paramref name="configDirectory"/>. <paramref name="environments"/> are the
    /// environments it may list; a person may not take the name of the master user or of the environment's application
    /// user.
    /// </summary>
    public static DatabaseUsersConfiguration Load(string configDirectory, IReadOnlyCollection<EnvironmentSettings> environments)
    {
        var path = System.IO.Path.Combine(configDirectory, FileName);
        if (ConfigurationFile.TryRead(path) is not { } document)
        {
            return new DatabaseUsersConfiguration(path, new Dictionary<string, IReadOnlyList<string>>());
        }

        using (document)
        {
            return Parse(path, document.RootElement, environments);
        }
    }

    private static DatabaseUsersConfiguration Parse(string path, JsonElement root, IReadOnlyCollection<EnvironmentSettings> environments)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidSettingException($"{path}: $", root.ValueKind.ToString(), "an object keyed by environment name");
        }

        var result = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var entry in root.EnumerateObject())
        {
            if (entry.Name.StartsWith('$'))
            {
                continue;
            }

            var settings = environments.FirstOrDefault(e => e.Name == entry.Name)
                ?? throw new InvalidSettingException($"{path}: $.{entry.Name}", entry.Name, $"one of {string.Join(", ", environments.Select(e => e.Name))}");
            result[entry.Name] = ParseEnvironment($"{path}: $.{entry.Name}", entry.Value, settings);
        }

        return new DatabaseUsersConfiguration(path, result);
    }

    private static IReadOnlyList<string> ParseEnvironment(string at, JsonElement element, EnvironmentSettings settings)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidSettingException(at, element.GetRawText(), "an object with application and people, each of name → role");
        }

        var logins = new HashSet<string>(StringComparer.Ordinal);
        var people = new List<string>();
        foreach (var group in element.EnumerateObject())
        {
            if (group.Name is not ("application" or "people"))
            {
                throw new InvalidSettingException($"{at}.{group.Name}", group.Value.GetRawText(), "only application and people");
            }

            if (group.Value.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSettingException($"{at}.{group.Name}", group.Value.GetRawText(), "an object of name → role");
            }

            foreach (var login in group.Value.EnumerateObject())
            {
                var where = $"{at}.{group.Name}.{login.Name}";
                var role = login.Value.ValueKind == JsonValueKind.String ? login.Value.GetString()! : login.Value.GetRawText();
                if (!GroupRoles.Contains(role))
                {
                    throw new InvalidSettingException(where, role, $"a group role: {string.Join(", ", GroupRoles)}");
                }

                if (!NamePattern().IsMatch(login.Name))
                {
                    throw new InvalidSettingException(where, login.Name, "a name of 1 to 32 lowercase letters, digits and '_', starting with a letter");
                }

                if (login.Name == PostgresDefaults.MasterUsername || GroupRoles.Contains(login.Name) || login.Name.StartsWith("rds", StringComparison.Ordinal) || login.Name.StartsWith("pg_", StringComparison.Ordinal))
                {
                    throw new InvalidSettingException(where, login.Name, $"a name that is not reserved (the master user {PostgresDefaults.MasterUsername}, a group role, an rds* or pg_* name)");
                }

                if (group.Name == "people" && login.Name == settings.AppDatabaseUser)
                {
                    throw new InvalidSettingException(where, login.Name, $"a person's own name, not the application user {settings.AppDatabaseUser} (people may never log in as it)");
                }

                if (!logins.Add(login.Name))
                {
                    throw new InvalidSettingException(where, login.Name, "each name once per environment");
                }

                if (group.Name == "people")
                {
                    people.Add(login.Name);
                }
            }
        }

        return people.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>A person's name: their bastion login and IAM database user.</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}$")]
    private static partial Regex NamePattern();
}
