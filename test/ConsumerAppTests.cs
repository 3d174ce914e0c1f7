using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.CDK;
using ConsumerApp;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The library as a consumer uses it, without anything from the RdsStack app: the example app under
/// <c>examples/ConsumerApp</c> (which the README quotes), synthesized once and reviewed by the same cdk-nag runner
/// as the app's stacks.
/// </summary>
public sealed class ConsumerSynthesis
{
    public const string StackName = "OrdersDatabase";

    public ConsumerSynthesis()
    {
        OutDir = Directory.CreateTempSubdirectory("rdsstack-consumer-").FullName;
        var app = new Amazon.CDK.App(new AppProps { Context = CdkJson.Context(), Outdir = OutDir });
        Stack = new OrdersDatabaseStack(app, StackName, new StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1" } });
        app.Synth();
        Template = JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, $"{StackName}.template.json")))!.AsObject();

        var root = ProgramTests.RepositoryRoot();
        var localNode = Path.Combine(root, "node_modules", ".bin", "node");
        var start = new ProcessStartInfo(File.Exists(localNode) ? localNode : "node", $"review/review.js --no-synth --out \"{OutDir}\"")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        ReviewOutput = process.StandardOutput.ReadToEnd() + stderr.Result;
        Assert.True(process.WaitForExit(300_000), "the review did not finish within five minutes");
        ReviewExitCode = process.ExitCode;
        Review = JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, $"{StackName}.nag.json")))!.AsObject();
    }

    public string OutDir { get; }

    public Stack Stack { get; }

    public JsonObject Template { get; }

    public int ReviewExitCode { get; }

    public string ReviewOutput { get; }

    public JsonObject Review { get; }
}

public sealed class ConsumerAppTests : IClassFixture<ConsumerSynthesis>
{
    private readonly ConsumerSynthesis consumer;

    public ConsumerAppTests(ConsumerSynthesis consumer) => this.consumer = consumer;

    [Fact]
    public void Every_lambda_function_the_constructs_bring_runs_on_a_current_runtime_without_the_apps_help()
    {
        // CDK 2.160 writes its default-security-group handler on nodejs20.x; PrivateNetwork moves it itself.
        var functions = consumer.Template.Resources("AWS::Lambda::Function").ToList();
        Assert.NotEmpty(functions);
        Assert.All(functions, f =>
        {
            var runtime = f.Resource.Props()["Runtime"].Str();
            Assert.Equal(LambdaRuntimeFloor.Runtime, runtime);
            Assert.DoesNotContain(runtime!, LambdaRuntimeFloor.DeprecatedRuntimes);
        });
    }

    [Fact]
    public void The_rule_packs_find_nothing_unacknowledged_in_the_consumer_stack()
    {
        Assert.True(consumer.ReviewExitCode == 0, consumer.ReviewOutput);
        Assert.Empty(consumer.Review["findings"]!.AsArray());
        Assert.Empty(consumer.Review["errors"]!.AsArray());
        Assert.True((int)consumer.Review["compliant"]! > 100, "the packs should have checked the stack's resources");
    }

    [Fact]
    public void The_stack_has_exactly_one_runtime_floor_however_many_constructs_ask_for_it()
    {
        var stack = new Stack(CdkJson.NewApp(), "TwoNetworks");
        var key = new EnvironmentKey(stack, "Key", new EnvironmentKeyProps { Alias = "two-networks" });
        foreach (var id in new[] { "A", "B" })
        {
            _ = new PrivateNetwork(stack, id, new PrivateNetworkProps
            {
                AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" },
                Cidr = id == "A" ? "10.1.0.0/16" : "10.2.0.0/16",
                EncryptionKey = key.Key,
            });
        }

        var floor = LambdaRuntimeFloor.ApplyTo(stack);
        Assert.Same(floor, Aspects.Of(stack).All.OfType<LambdaRuntimeFloor>().Single());
        Assert.Single(Aspects.Of(consumer.Stack).All.OfType<LambdaRuntimeFloor>());
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/Constructs/README.md")]
    public void Every_csharp_block_of_the_readme_is_quoted_verbatim_from_the_example_app(string readmePath)
    {
        var root = ProgramTests.RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, readmePath));
        var blocks = Regex.Matches(readme, "```csharp\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(blocks);
        var sources = Directory.GetFiles(Path.Combine(root, "examples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Lines(File.ReadAllText(f)));
        foreach (var block in blocks)
        {
            var lines = Lines(block);
            Assert.True(
                sources.Values.Any(source => Enumerable.Range(0, Math.Max(0, source.Count - lines.Count + 1)).Any(i => source.Skip(i).Take(lines.Count).SequenceEqual(lines))),
                $"This {readmePath} block is not in examples/ (copy it from there, so the compiler checks it):\n{block}");
        }
    }

    /// <summary>Lines without indentation and blank lines: a quote may be re-indented, not changed.</summary>
    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
