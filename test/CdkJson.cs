using System.Text.Json;

namespace RdsStack.Tests;

/// <summary>
/// The context block of the repository's cdk.json (the feature flags), so every app a test builds synthesizes
/// exactly what <c>cdk synth</c> does.
/// </summary>
public static class CdkJson
{
    private static readonly Lazy<IReadOnlyDictionary<string, object>> Flags = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(ProgramTests.RepositoryRoot(), "cdk.json")));
        return document.RootElement.GetProperty("context").EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value));
    });

    /// <summary>
    /// cdk.json's context, the repository's committed configuration directory (as <c>cdk synth</c> in the repository
    /// root finds it), plus <paramref name="extra"/> (which wins).
    /// </summary>
    public static Dictionary<string, object> Context(IDictionary<string, object>? extra = null)
    {
        var context = new Dictionary<string, object>(Flags.Value)
        {
            [RdsStack.App.DeploymentContext.ConfigDirKey] = Path.Combine(ProgramTests.RepositoryRoot(), "config"),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
        {
            context[key] = value;
        }

        return context;
    }

    /// <summary>A new CDK app with cdk.json's context.</summary>
    public static Amazon.CDK.App NewApp(IDictionary<string, object>? extra = null) =>
        new(new Amazon.CDK.AppProps { Context = Context(extra) });

    private static object Convert(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(Convert).ToArray(),
        JsonValueKind.Number => value.GetDouble(),
        _ => value.GetString()!,
    };
}
