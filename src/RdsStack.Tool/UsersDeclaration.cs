using System.Text.Json;
using System.Text.RegularExpressions;

namespace RdsStack.Tool;

/// <summary>
/// The committed declaration of who may log in to each environment's database, and with which group role
/// (<c>config/database-users.json</c>, keyed by environment name):
/// <code>
/// { "dev": { "application": { "app_user": "readwrite" }, "people": { "alice": "owner", "bob": "readonly" } } }
/// </code>
/// A person's name is both their bastion login and their IAM database user. Everything is checked here, before
/// anything connects, so a bad declaration changes nothing.
/// </summary>
public sealed partial class UsersDeclaration
{
    /// <summary>The group roles <c>users sync</c> manages, and what each may do.</summary>
    public static readonly IReadOnlyDictionary<string, string> GroupRoles = new Dictionary<string, string>
    {
        ["readonly"] = "read every table and view (pg_read_all_data)",
        ["readwrite"] = "read and write every table (pg_read_all_data, pg_write_all_data)",
        ["owner"] = "readwrite, plus create schemas and objects (CREATE on the database and schema public)",
    };

    private UsersDeclaration(string environment, IReadOnlyDictionary<string, string> logins)
    {
        Environment = environment;
        Logins = logins;
    }

    /// <summary>The environment this declaration is for.</summary>
    public string Environment { get; }

    /// <summary>Login name → group role, people and application users together.</summary>
    public IReadOnlyDictionary<string, string> Logins { get; }

    /// <summary>Reads <paramref name="path"/> and returns the entry for <paramref name="environment"/>.</summary>
    public static UsersDeclaration Load(string path, string environment, string masterUsername)
    {
        if (!File.Exists(path))
        {
            throw new ToolException($"No declaration at {path}: run from the repository root or pass --declaration <file>.");
        }

        return Parse(File.ReadAllText(path), path, environment, masterUsername);
    }

    /// <summary>Parses and checks the declaration; <paramref name="source"/> names the file in errors.</summary>
    public static UsersDeclaration Parse(string json, string source, string environment, string masterUsername)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ToolException($"{source} is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty(environment, out var entry) || entry.ValueKind != JsonValueKind.Object)
            {
                throw new ToolException($"{source} has no entry for environment '{environment}' (expected {{ \"{environment}\": {{ \"application\": {{…}}, \"people\": {{…}} }} }}).");
            }

            var logins = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in entry.EnumerateObject())
            {
                if (property.Name is not ("application" or "people"))
                {
                    throw new ToolException($"{source}: $.{environment}.{property.Name} is not allowed. Allowed: application, people.");
                }

                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new ToolException($"{source}: $.{environment}.{property.Name} must be an object of name → role.");
                }

                foreach (var login in property.Value.EnumerateObject())
                {
                    var at = $"$.{environment}.{property.Name}.{login.Name}";
                    var role = login.Value.ValueKind == JsonValueKind.String ? login.Value.GetString()! : login.Value.GetRawText();
                    if (!GroupRoles.ContainsKey(role))
                    {
                        throw new ToolException($"{source}: {at} has unknown role '{role}'. Allowed: {string.Join(", ", GroupRoles.Keys)}. Nothing was changed.");
                    }

                    if (!LoginPattern().IsMatch(login.Name))
                    {
                        throw new ToolException($"{source}: {at}: '{login.Name}' is not a valid name. Allowed: 1 to 32 lowercase letters, digits and '_', starting with a letter. Nothing was changed.");
                    }

                    if (login.Name == masterUsername || GroupRoles.ContainsKey(login.Name) || login.Name.StartsWith("rds", StringComparison.Ordinal) || login.Name.StartsWith("pg_", StringComparison.Ordinal))
                    {
                        throw new ToolException($"{source}: {at}: '{login.Name}' is reserved (the master user, a group role, or an rds*/pg_* name). Nothing was changed.");
                    }

                    if (!logins.TryAdd(login.Name, role))
                    {
                        throw new ToolException($"{source}: '{login.Name}' is declared twice in $.{environment}. Nothing was changed.");
                    }
                }
            }

            return new UsersDeclaration(environment, logins);
        }
    }

    /// <summary>A person's name: lowercase letters, digits and '_', 1 to 32, starting with a letter.</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}\\z")]
    public static partial Regex LoginPattern();
}
