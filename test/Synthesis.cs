using System.Text.Json.Nodes;
using RdsStack.App;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace RdsStack.Tests;

/// <summary>
/// One synthesized app: every stack and its template as JSON.
/// Synthesized once per distinct context and shared by every fixture that asks for the same context
/// (jsii start-up and synthesis cost seconds).
/// </summary>
public class SynthesizedApp
{
    /// <summary>The CIDRs given to the standard app.</summary>
    public const string OperatorIpv4 = "203.0.113.7/32";

    /// <summary>An IPv6 operator network.</summary>
    public const string OperatorIpv6 = "2001:db8:1234::/48";

    private static readonly Dictionary<string, Synthesis> Cache = new();
    private readonly Synthesis synthesis;

    public SynthesizedApp(IDictionary<string, object> context)
    {
        var key = string.Join(";", context.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"));
        lock (Cache)
        {
            if (!Cache.TryGetValue(key, out synthesis!))
            {
                synthesis = new Synthesis(context);
                Cache[key] = synthesis;
            }
        }
    }

    public Amazon.CDK.App App => synthesis.App;

    public string OutDir => synthesis.OutDir;

    public IReadOnlyDictionary<string, EnvironmentStack> Stacks => synthesis.Stacks;

    public IReadOnlyDictionary<string, JsonObject> Json => synthesis.Json;

    public JsonObject this[string stackName] => Json[stackName];

    private sealed class Synthesis
    {
        public Synthesis(IDictionary<string, object> context)
        {
            OutDir = Directory.CreateTempSubdirectory("rdsstack-test-").FullName;
            var fullContext = CdkJson.Context(context);
            App = new Amazon.CDK.App(new Amazon.CDK.AppProps { Context = fullContext, Outdir = OutDir });
            Stacks = RdsStackApp.Build(App, fullContext.Keys).ToDictionary(s => s.StackName);
            App.Synth();
            Json = Stacks.Keys.ToDictionary(name => name, name => JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, $"{name}.template.json")))!.AsObject());
        }

        public Amazon.CDK.App App { get; }

        public string OutDir { get; }

        public IReadOnlyDictionary<string, EnvironmentStack> Stacks { get; }

        public IReadOnlyDictionary<string, JsonObject> Json { get; }
    }
}

/// <summary>dev, staging, prod and the sandbox "alice", with an IPv4 and an IPv6 operator network.</summary>
public sealed class StandardApp : SynthesizedApp
{
    public static readonly string[] StackNames = { "RdsStack-dev", "RdsStack-staging", "RdsStack-prod", "RdsStack-sandbox-alice" };

    /// <summary>Theory data: every stack of the standard app.</summary>
    public static TheoryData<string> AllStacks => new(StackNames);

    public StandardApp()
        : base(new Dictionary<string, object>
        {
            ["sandbox"] = "alice",
            ["operatorCidrs"] = $"{OperatorIpv4},{OperatorIpv6}",
        })
    {
    }
}

[CollectionDefinition(Name)]
public sealed class StandardAppCollection : ICollectionFixture<StandardApp>
{
    public const string Name = "standard app";
}
