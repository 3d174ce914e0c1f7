using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// The per-person values given as CDK context (<c>-c key=value</c> or <c>cdk.json</c>), parsed and
/// validated in this one place before any construct is built. A bad value stops synth with one message
/// naming the key, the value and what is allowed.
/// </summary>
public sealed partial record DeploymentContext
{
    /// <summary>Context key: a developer sandbox's name; adds the stack <c>RdsStack-sandbox-&lt;name&gt;</c>.</summary>
    public const string SandboxKey = "sandbox";

    /// <summary>Context key: the operator CIDRs the bastion admits on SSH, comma-separated.</summary>
    public const string OperatorCidrsKey = "operatorCidrs";

    /// <summary>Context key: the AWS account of every stack; <c>account.&lt;env&gt;</c> sets one environment's.</summary>
    public const string AccountKey = "account";

    /// <summary>Context key: an existing application security group; <c>appSecurityGroupId.&lt;env&gt;</c> for one environment.</summary>
    public const string AppSecurityGroupIdKey = "appSecurityGroupId";

    /// <summary>Context key: an ED25519 public key to import as the bastion's key pair.</summary>
    public const string BastionPublicKeyKey = "bastionPublicKey";

    /// <summary>
    /// Context key: the directory of the committed configuration files (<c>controls.json</c>, ...). Default
    /// <c>config</c>, relative to the current directory (next to <c>cdk.json</c> when cdk runs).
    /// </summary>
    public const string ConfigDirKey = "configDir";

    /// <summary>The longest sandbox name: it ends up in the stack, instance, key-alias and log-group names.</summary>
    public const int MaxSandboxNameLength = 20;

    /// <summary>The sandbox name, or null when no sandbox is asked for.</summary>
    public string? Sandbox { get; init; }

    /// <summary>The operator networks admitted to the bastion (may be empty).</summary>
    public IReadOnlyList<IpCidr> OperatorCidrs { get; init; } = Array.Empty<IpCidr>();

    /// <summary>An ED25519 public key for the bastion, or null to have EC2 generate the key pair.</summary>
    public string? BastionPublicKey { get; init; }

    /// <summary>Accounts by environment name (<c>""</c> = every environment).</summary>
    public IReadOnlyDictionary<string, string> Accounts { get; init; } = new Dictionary<string, string>();

    /// <summary>Existing application security groups by environment name (<c>""</c> = every environment).</summary>
    public IReadOnlyDictionary<string, string> AppSecurityGroupIds { get; init; } = new Dictionary<string, string>();

    /// <summary>The account of <paramref name="environment"/>, or null (then the deploying credentials decide).</summary>
    public string? AccountFor(string environment) => ForEnvironment(Accounts, environment);

    /// <summary>The existing app security group of <paramref name="environment"/>, or null (one is created).</summary>
    public string? AppSecurityGroupIdFor(string environment) => ForEnvironment(AppSecurityGroupIds, environment);

    /// <summary>Reads and validates every context key through <paramref name="tryGetContext"/>.</summary>
    public static DeploymentContext Read(Func<string, object?> tryGetContext)
    {
        var environments = EnvironmentPresets.Shared.Select(e => e.Name).Append(EnvironmentPresets.Sandbox.Name).ToArray();
        string? Text(string key) => ToText(tryGetContext(key));

        var sandbox = Text(SandboxKey);
        if (sandbox is not null && !IsValidSandboxName(sandbox))
        {
            throw new InvalidSettingException(SandboxKey, sandbox, $"1 to {MaxSandboxNameLength} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. alice, bob-2)");
        }

        var publicKey = Text(BastionPublicKeyKey);
        if (publicKey is not null)
        {
            BastionHost.RequireValidPublicKey(BastionPublicKeyKey, publicKey);
        }

        return new DeploymentContext
        {
            Sandbox = sandbox,
            OperatorCidrs = IpCidr.ParseList(OperatorCidrsKey, Text(OperatorCidrsKey)),
            BastionPublicKey = publicKey,
            Accounts = PerEnvironment(AccountKey, environments, Text, AccountPattern(), "a 12-digit AWS account id, e.g. 123456789012"),
            AppSecurityGroupIds = PerEnvironment(AppSecurityGroupIdKey, environments, Text, SecurityGroupIdPattern(), "a security group id: 'sg-' and 8 or 17 lowercase hex digits, e.g. sg-0123456789abcdef0"),
        };
    }

    /// <summary>True when <paramref name="name"/> is a valid sandbox name.</summary>
    public static bool IsValidSandboxName(string name) =>
        SandboxPattern().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal) && !name.EndsWith('-');

    private static Dictionary<string, string> PerEnvironment(string key, IEnumerable<string> environments, Func<string, string?> text, Regex pattern, string allowed)
    {
        var values = new Dictionary<string, string>();
        foreach (var (contextKey, environment) in environments.Select(e => ($"{key}.{e}", e)).Prepend((key, string.Empty)))
        {
            var value = text(contextKey);
            if (value is null)
            {
                continue;
            }

            if (!pattern.IsMatch(value))
            {
                throw new InvalidSettingException(contextKey, value, allowed);
            }

            values[environment] = value;
        }

        return values;
    }

    private static string? ForEnvironment(IReadOnlyDictionary<string, string> values, string environment) =>
        values.TryGetValue(environment, out var specific) ? specific : values.TryGetValue(string.Empty, out var all) ? all : null;

    private static string? ToText(object? value) => value switch
    {
        null => null,
        string s => s.Trim(),
        IEnumerable items => string.Join(",", items.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)?.Trim())),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("^[a-z][a-z0-9-]{0,19}$")]
    private static partial Regex SandboxPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex SecurityGroupIdPattern();
}
