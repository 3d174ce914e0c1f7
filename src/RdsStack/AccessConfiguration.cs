using System.Text.Json;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>Who may reach one shared environment: the networks admitted on SSH and the named operators with their keys.</summary>
public sealed record EnvironmentAccess
{
    /// <summary>No networks and no operators: Session Manager port forwarding is the only way in.</summary>
    public static EnvironmentAccess None { get; } = new();

    /// <summary>The operator networks admitted on TCP 22.</summary>
    public IReadOnlyList<IpCidr> OperatorCidrs { get; init; } = Array.Empty<IpCidr>();

    /// <summary>The named operators, each with their own login and key.</summary>
    public IReadOnlyList<BastionOperator> Operators { get; init; } = Array.Empty<BastionOperator>();
}

/// <summary>
/// The committed access configuration, <c>config/access.json</c>: per shared environment, its operator networks and
/// named operators (name and ED25519 public key). Parsed and validated here, before any construct is built; every error
/// names the file and the JSON path. A missing file means no SSH access to any shared environment (Session Manager only).
/// </summary>
public sealed class AccessConfiguration
{
    /// <summary>The file's name inside the configuration directory.</summary>
    public const string FileName = "access.json";

    private readonly IReadOnlyDictionary<string, EnvironmentAccess> environments;

    private AccessConfiguration(string path, bool exists, IReadOnlyDictionary<string, EnvironmentAccess> environments)
    {
        Path = path;
        Exists = exists;
        this.environments = environments;
    }

    /// <summary>No configuration at all: every shared environment has <see cref="EnvironmentAccess.None"/>.</summary>
    public static AccessConfiguration Missing { get; } = new(FileName, false, new Dictionary<string, EnvironmentAccess>());

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>False when the file does not exist (then every shared environment has <see cref="EnvironmentAccess.None"/>).</summary>
    public bool Exists { get; }

    /// <summary>The access of <paramref name="environment"/>, or <see cref="EnvironmentAccess.None"/> when it is not listed.</summary>
    public EnvironmentAccess For(string environment) => environments.TryGetValue(environment, out var access) ? access : EnvironmentAccess.None;

    /// <summary>Reads <c>access.json</c> from <paramref name="configDirectory"/>; <paramref name="environments"/> are the names it may list.</summary>
    public static AccessConfiguration Load(string configDirectory, IReadOnlyCollection<string> environments)
    {
        var path = System.IO.Path.Combine(configDirectory, FileName);
        if (ConfigurationFile.TryRead(path) is not { } document)
        {
            return new AccessConfiguration(path, false, new Dictionary<string, EnvironmentAccess>());
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSettingException($"{path}: $", document.RootElement.ValueKind.ToString(), "an object keyed by environment name");
            }

            var result = new Dictionary<string, EnvironmentAccess>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name.StartsWith('$'))
                {
                    continue;
                }

                if (!environments.Contains(entry.Name))
                {
                    throw new InvalidSettingException($"{path}: $.{entry.Name}", entry.Name, $"one of {string.Join(", ", environments)} (sandboxes take their access from their owner's command line)");
                }

                result[entry.Name] = ParseEnvironment($"{path}: $.{entry.Name}", entry.Value);
            }

            return new AccessConfiguration(path, true, result);
        }
    }

    private static EnvironmentAccess ParseEnvironment(string at, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidSettingException(at, element.ValueKind.ToString(), "an object with operatorCidrs and operators");
        }

        var cidrs = new List<IpCidr>();
        var operators = new List<BastionOperator>();
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "operatorCidrs":
                    foreach (var (item, index) in Array(at + ".operatorCidrs", property.Value).Select((v, i) => (v, i)))
                    {
                        var cidr = IpCidr.Parse($"{at}.operatorCidrs[{index}]", item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText());
                        if (cidrs.Contains(cidr))
                        {
                            throw new InvalidSettingException($"{at}.operatorCidrs[{index}]", cidr.Text, "each network once");
                        }

                        cidrs.Add(cidr);
                    }

                    break;
                case "operators":
                    foreach (var (item, index) in Array(at + ".operators", property.Value).Select((v, i) => (v, i)))
                    {
                        var person = ParseOperator($"{at}.operators[{index}]", item);
                        if (operators.Any(o => o.Name == person.Name))
                        {
                            throw new InvalidSettingException($"{at}.operators[{index}].name", person.Name, "each operator once per environment");
                        }

                        operators.Add(person);
                    }

                    break;
                default:
                    throw new InvalidSettingException($"{at}.{property.Name}", property.Value.GetRawText(), "only operatorCidrs and operators");
            }
        }

        return new EnvironmentAccess { OperatorCidrs = cidrs, Operators = operators };
    }

    private static BastionOperator ParseOperator(string at, JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidSettingException(at, item.GetRawText(), "{ \"name\": \"amara\", \"publicKey\": \"ssh-ed25519 AAAA… amara@laptop\" }");
        }

        string? name = null, publicKey = null;
        foreach (var property in item.EnumerateObject())
        {
            var text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            switch (property.Name)
            {
                case "name": name = text; break;
                case "publicKey": publicKey = text; break;
                default: throw new InvalidSettingException($"{at}.{property.Name}", text, "only name and publicKey");
            }
        }

        return BastionOperator.Create(at, name, publicKey);
    }

    private static IEnumerable<JsonElement> Array(string at, JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? value.EnumerateArray().ToList()
        : throw new InvalidSettingException(at, value.GetRawText(), "a JSON array");
}
