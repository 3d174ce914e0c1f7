using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// The values given as CDK context (<c>-c key=value</c> or <c>cdk.json</c>) and the committed configuration they point
/// at (<c>configDir</c>), parsed and validated in this one place before any construct is built. A bad value or an
/// unknown key stops synth with one message naming the key, the value and what is allowed.
/// </summary>
public sealed partial record DeploymentContext
{
    /// <summary>Context key: a developer sandbox's name; adds the stack <c>RdsStack-sandbox-&lt;name&gt;</c>.</summary>
    public const string SandboxKey = "sandbox";

    /// <summary>
    /// Context key: the operator CIDRs the sandbox's bastion admits on SSH, comma-separated (also <c>operatorCidrs.sandbox</c>).
    /// Shared environments take theirs from <c>config/access.json</c> only; <c>operatorCidrs.&lt;shared env&gt;</c> is refused.
    /// </summary>
    public const string OperatorCidrsKey = "operatorCidrs";

    /// <summary>Context key: the directory of the committed configuration files. Default <see cref="DefaultConfigDir"/> (next to cdk.json).</summary>
    public const string ConfigDirKey = "configDir";

    /// <summary>The default of <see cref="ConfigDirKey"/>, relative to the directory cdk runs in.</summary>
    public const string DefaultConfigDir = "config";

    /// <summary>Context key: the AWS account of every stack; <c>account.&lt;env&gt;</c> sets one environment's.</summary>
    public const string AccountKey = "account";

    /// <summary>Context key: the AWS region of every stack; <c>region.&lt;env&gt;</c> sets one environment's.</summary>
    public const string RegionKey = "region";

    /// <summary>Context key: an existing application security group; <c>appSecurityGroupId.&lt;env&gt;</c> for one environment.</summary>
    public const string AppSecurityGroupIdKey = "appSecurityGroupId";

    /// <summary>Context key: an ED25519 public key to import as the sandbox bastion's key pair (also <c>bastionPublicKey.sandbox</c>).</summary>
    public const string BastionPublicKeyKey = "bastionPublicKey";

    /// <summary>
    /// Every context key the app reads: the single list the unknown-key check accepts. <c>PerEnvironment</c> keys are
    /// also accepted as <c>&lt;key&gt;.&lt;environment&gt;</c>.
    /// </summary>
    public static IReadOnlyList<(string Key, bool PerEnvironment)> KnownKeys { get; } = new[]
    {
        (SandboxKey, false),
        (ConfigDirKey, false),
        (OperatorCidrsKey, true),
        (BastionPublicKeyKey, true),
        (AccountKey, true),
        (RegionKey, true),
        (AppSecurityGroupIdKey, true),
    };

    /// <summary>The longest sandbox name: it ends up in the stack, instance, key-alias and log-group names.</summary>
    public const int MaxSandboxNameLength = 20;

    /// <summary>The sandbox name, or null when no sandbox is asked for.</summary>
    public string? Sandbox { get; init; }

    /// <summary>The committed access configuration of the shared environments.</summary>
    public AccessConfiguration Access { get; init; } = AccessConfiguration.Missing;

    /// <summary>The sandbox's operator networks, from the command line (may be empty).</summary>
    public IReadOnlyList<IpCidr> OperatorCidrs { get; init; } = Array.Empty<IpCidr>();

    /// <summary>An ED25519 public key for the bastion, or null to have EC2 generate the key pair.</summary>
    public string? BastionPublicKey { get; init; }

    /// <summary>The directory of the committed configuration files (absolute).</summary>
    public string ConfigDirectory { get; init; } = Path.GetFullPath(DefaultConfigDir);

    /// <summary>Accounts by environment name (<c>""</c> = every environment).</summary>
    public IReadOnlyDictionary<string, string> Accounts { get; init; } = new Dictionary<string, string>();

    /// <summary>Regions by environment name (<c>""</c> = every environment).</summary>
    public IReadOnlyDictionary<string, string> Regions { get; init; } = new Dictionary<string, string>();

    /// <summary>Existing application security groups by environment name (<c>""</c> = every environment).</summary>
    public IReadOnlyDictionary<string, string> AppSecurityGroupIds { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The operator networks and named operators of <paramref name="settings"/>: a single-person environment's from the
    /// command line (no named operators), a shared environment's from the committed configuration only.
    /// </summary>
    public EnvironmentAccess AccessFor(EnvironmentSettings settings) => settings.SinglePersonAccess
        ? new EnvironmentAccess { OperatorCidrs = OperatorCidrs }
        : Access.For(settings.Name);

    /// <summary>The account of <paramref name="environment"/>, or null (then the deploying credentials decide).</summary>
    public string? AccountFor(string environment) => ForEnvironment(Accounts, environment);

    /// <summary>The region of <paramref name="environment"/> given as context, or null.</summary>
    public string? RegionFor(string environment) => ForEnvironment(Regions, environment);

    /// <summary>The existing app security group of <paramref name="environment"/>, or null (one is created).</summary>
    public string? AppSecurityGroupIdFor(string environment) => ForEnvironment(AppSecurityGroupIds, environment);

    /// <summary>Reads and validates every context key through <paramref name="tryGetContext"/>.</summary>
    public static DeploymentContext Read(Func<string, object?> tryGetContext)
    {
        var environments = EnvironmentPresets.All.Select(e => e.Name).ToArray();
        string? Text(string key) => ToText(tryGetContext(key));
        RefuseCommandLineAccessForSharedEnvironments(Text);
        string? Personal(string key) => Text($"{key}.{EnvironmentPresets.Sandbox.Name}") ?? Text(key);

        var sandbox = Text(SandboxKey);
        if (sandbox is not null && !IsValidSandboxName(sandbox))
        {
            throw new InvalidSettingException(SandboxKey, sandbox, $"1 to {MaxSandboxNameLength} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. alice, bob-2)");
        }

        var publicKey = Personal(BastionPublicKeyKey);
        if (publicKey is not null)
        {
            BastionHost.RequireValidPublicKey(BastionPublicKeyKey, publicKey);
        }

        var configDir = Text(ConfigDirKey);
        if (configDir is not null && (configDir.Length == 0 || !Directory.Exists(configDir)))
        {
            throw new InvalidSettingException(ConfigDirKey, configDir, $"an existing directory holding the committed configuration ({AccessConfiguration.FileName}, ...)");
        }

        // In a checkout (cdk runs next to cdk.json and the committed config/), no context value may swap the files that
        // decide who reaches dev, staging and prod, where they live, which controls are enforced and where alarms go.
        // configDir is for apps run elsewhere (tests, a library consumer's own layout).
        var committed = Path.GetFullPath(DefaultConfigDir);
        if (configDir is not null && Directory.Exists(committed) && Path.GetFullPath(configDir).TrimEnd(Path.DirectorySeparatorChar) != committed.TrimEnd(Path.DirectorySeparatorChar))
        {
            throw new InvalidSettingException(ConfigDirKey, configDir, $"nothing here (or {committed}): this checkout's committed {DefaultConfigDir}/ decides access, placement, enforced controls and alarm subscribers of the shared environments; change those files in a reviewed commit");
        }

        return new DeploymentContext
        {
            Sandbox = sandbox,
            OperatorCidrs = IpCidr.ParseList(OperatorCidrsKey, Personal(OperatorCidrsKey)),
            Access = AccessConfiguration.Load(configDir ?? DefaultConfigDir, EnvironmentPresets.All.Where(e => !e.SinglePersonAccess).Select(e => e.Name).ToArray()),
            BastionPublicKey = publicKey,
            Accounts = PerEnvironment(AccountKey, environments, Text, AccountPattern(), "a 12-digit AWS account id, e.g. 123456789012"),
            Regions = PerEnvironment(RegionKey, environments, Text, AccountsConfiguration.RegionPattern(), "a region name such as eu-west-1"),
            ConfigDirectory = Path.GetFullPath(configDir ?? DefaultConfigDir),
            AppSecurityGroupIds = PerEnvironment(AppSecurityGroupIdKey, environments, Text, SecurityGroupIdPattern(), "a security group id: 'sg-' and 8 or 17 lowercase hex digits, e.g. sg-0123456789abcdef0"),
        };
    }

    /// <summary>
    /// Refuses any context key the app does not read, naming the nearest known key (<c>sandbx</c> → <c>sandbox</c>).
    /// CDK's own keys pass: feature flags (<c>@aws-cdk/…</c>, any <c>@</c>-scoped key), keys the CLI injects
    /// (<c>aws:cdk:…</c>, <c>cdk-…</c>), context-provider cache entries (<c>availability-zones:account=…</c>) and
    /// <c>acknowledged-issue-numbers</c>.
    /// </summary>
    public static void RequireKnownKeys(IEnumerable<string> keys)
    {
        var known = KnownForms().ToList();
        foreach (var key in keys)
        {
            if (IsCdkKey(key) || known.Contains(key, StringComparer.Ordinal))
            {
                continue;
            }

            var nearest = known.MinBy(k => EditDistance(k.ToLowerInvariant(), key.ToLowerInvariant()))!;
            throw new InvalidSettingException(key, "(unknown context key)", $"a known context key: did you mean '{nearest}'? Known: {string.Join(", ", KnownKeys.Select(k => k.PerEnvironment ? $"{k.Key}[.<env>]" : k.Key))}");
        }
    }

    /// <summary>
    /// The context keys the CDK CLI hands the app (<c>CDK_CONTEXT_JSON</c>, or the file named by
    /// <c>CONTEXT_OVERFLOW_LOCATION_ENV</c> when the context is large); empty when the app runs outside the CLI.
    /// </summary>
    public static IReadOnlyCollection<string> KeysFromEnvironment()
    {
        var json = Environment.GetEnvironmentVariable("CDK_CONTEXT_JSON");
        var overflow = Environment.GetEnvironmentVariable("CONTEXT_OVERFLOW_LOCATION_ENV");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in new[] { json, overflow is null || !File.Exists(overflow) ? null : File.ReadAllText(overflow) })
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            using var document = System.Text.Json.JsonDocument.Parse(text);
            keys.UnionWith(document.RootElement.EnumerateObject().Select(p => p.Name));
        }

        return keys;
    }

    private static IEnumerable<string> KnownForms() => KnownKeys.SelectMany(k => k.PerEnvironment
        ? EnvironmentPresets.All.Select(e => $"{k.Key}.{e.Name}").Prepend(k.Key)
        : new[] { k.Key });

    private static bool IsCdkKey(string key) =>
        key.StartsWith('@') || key.StartsWith("aws:cdk:", StringComparison.Ordinal) || key.StartsWith("cdk-", StringComparison.Ordinal)
        || key.Contains(':', StringComparison.Ordinal) || key == "acknowledged-issue-numbers";

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[b.Length];
    }

    /// <summary>
    /// Shared environments take access only from the committed configuration: a per-environment command-line form
    /// for one of them is refused rather than ignored, so nobody believes it took effect.
    /// </summary>
    private static void RefuseCommandLineAccessForSharedEnvironments(Func<string, string?> text)
    {
        foreach (var environment in EnvironmentPresets.All.Where(e => !e.SinglePersonAccess))
        {
            foreach (var key in new[] { OperatorCidrsKey, BastionPublicKeyKey })
            {
                var contextKey = $"{key}.{environment.Name}";
                if (text(contextKey) is { } value)
                {
                    throw new InvalidSettingException(contextKey, value, $"nothing: {environment.Name} takes its operator networks and named operators from the committed {DefaultConfigDir}/{AccessConfiguration.FileName} (a change to who can reach it is a reviewed commit); {key} without a suffix applies to the sandbox only");
                }
            }

            // Placement and the admitted application group decide who can reach a shared environment's data too: they
            // come only from the committed accounts file, never from a context value anyone can type.
            foreach (var key in new[] { AccountKey, RegionKey, AppSecurityGroupIdKey })
            {
                var contextKey = $"{key}.{environment.Name}";
                if (text(contextKey) is { } value)
                {
                    throw new InvalidSettingException(contextKey, value, $"nothing: {environment.Name} takes its {key} only from the committed {DefaultConfigDir}/{AccountsConfiguration.FileName} (\"environments\": {{ \"{environment.Name}\": {{ \"{key}\": ... }} }}, a reviewed commit); {key} without a suffix applies to the sandbox only");
                }
            }
        }
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

    // A value without a suffix is the sandbox's (a person's command line); shared environments never read it.
    private static string? ForEnvironment(IReadOnlyDictionary<string, string> values, string environment) =>
        values.TryGetValue(environment, out var specific) ? specific
        : environment == EnvironmentPresets.Sandbox.Name && values.TryGetValue(string.Empty, out var unsuffixed) ? unsuffixed
        : null;

    /// <summary>True when <paramref name="value"/> is a security group id (<c>sg-</c> and 8 or 17 lowercase hex digits).</summary>
    public static bool IsSecurityGroupId(string value) => SecurityGroupIdPattern().IsMatch(value);

    private static string? ToText(object? value) => value switch
    {
        null => null,
        string s => s.Trim(),
        IEnumerable items => string.Join(",", items.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)?.Trim())),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("^[a-z][a-z0-9-]{0,19}\\z")]
    private static partial Regex SandboxPattern();

    [GeneratedRegex("^[0-9]{12}\\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^sg-([0-9a-f]{8}|[0-9a-f]{17})\\z")]
    private static partial Regex SecurityGroupIdPattern();
}
