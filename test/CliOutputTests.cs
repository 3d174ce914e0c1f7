using System.Diagnostics;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace RdsStack.Tests;

/// <summary>
/// The real CDK CLI with the repository's <c>cdk.json</c>, as a user runs it: <c>cdk ls</c> runs the app command
/// (build, then the app) once; <c>cdk synth &lt;stack&gt;</c> then prints a template from that cloud assembly.
/// </summary>
public sealed class CliRun
{
    public CliRun()
    {
        AssemblyDir = Directory.CreateTempSubdirectory("rdsstack-cli-").FullName;
        List = Cdk($"ls -c sandbox=cli --output \"{AssemblyDir}\"");
        Synth = Cdk($"synth RdsStack-dev --app \"{AssemblyDir}\"");
        SandboxSynth = Cdk($"synth RdsStack-sandbox-cli --app \"{AssemblyDir}\"");
        ProdSynth = Cdk($"synth RdsStack-prod --app \"{AssemblyDir}\"");
    }

    public string AssemblyDir { get; }

    public (int ExitCode, string Stdout, string Stderr) List { get; }

    public (int ExitCode, string Stdout, string Stderr) Synth { get; }

    /// <summary>A sandbox synthesized without operator networks: the one stack that warns by default.</summary>
    public (int ExitCode, string Stdout, string Stderr) SandboxSynth { get; }

    /// <summary>prod, which lists no operators in config/access.json.</summary>
    public (int ExitCode, string Stdout, string Stderr) ProdSynth { get; }

    /// <summary>Runs the pinned CLI the way <c>npx cdk</c> does: Node 22 and node_modules/.bin first on the PATH.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Cdk(string arguments)
    {
        var root = ProgramTests.RepositoryRoot();
        var bin = Path.Combine(root, "node_modules", ".bin");
        Assert.True(File.Exists(Path.Combine(bin, "cdk")), "the CDK CLI is not installed: run 'npm ci' in the repository root first.");
        var start = new ProcessStartInfo(Path.Combine(bin, "cdk"), $"{arguments} --no-notices")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["CDK_DISABLE_CLI_TELEMETRY"] = "true";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), $"cdk {arguments} did not finish within five minutes");
        return (process.ExitCode, stdout, stderr.Result);
    }
}

public sealed class CliOutputTests : IClassFixture<CliRun>
{
    private readonly CliRun cli;

    public CliOutputTests(CliRun cli) => this.cli = cli;

    [Fact]
    public void Cdk_ls_prints_only_the_stack_names_so_it_can_be_piped()
    {
        Assert.True(cli.List.ExitCode == 0, cli.List.Stderr);
        var expected = new[] { "RdsStack-dev", "RdsStack-staging", "RdsStack-prod", "RdsStack-sandbox-cli" };
        Assert.Equal(string.Join("\n", expected) + "\n", cli.List.Stdout);
    }

    [Fact]
    public void Only_prod_warns_on_a_default_synth_about_what_must_be_committed_before_it_goes_live()
    {
        // prod lists no operators (Session Manager only, by configuration): said as info, not as a warning.
        Assert.True(cli.ProdSynth.ExitCode == 0, cli.ProdSynth.Stderr);
        Assert.DoesNotContain("WARNING", cli.Synth.Stderr, StringComparison.Ordinal);
        // Two warnings on a fresh clone, both prod's and both things a platform team must commit before going live: no
        // account isolates prod (config/accounts.json), and nobody receives its alarms (config/operations.json).
        var prodWarnings = cli.ProdSynth.Stderr.Split('\n').Where(l => l.StartsWith("WARNING", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, prodWarnings.Count);
        Assert.Contains(prodWarnings, w => w.StartsWith("WARNING Environments are NOT isolated:", StringComparison.Ordinal));
        Assert.Contains(prodWarnings, w => w.StartsWith("WARNING prod: the operations topic has no subscriber", StringComparison.Ordinal));
        Assert.Contains($"Acknowledge with 'Annotation::{App.EnvironmentStack.NotIsolatedWarning}'", cli.ProdSynth.Stderr);
        Assert.Contains($"Acknowledge with 'Annotation::{App.EnvironmentStack.NoSubscribersWarning}'", cli.ProdSynth.Stderr);
    }

    [Fact]
    public void Cdk_synth_of_one_stack_prints_exactly_its_template_as_yaml()
    {
        Assert.True(cli.Synth.ExitCode == 0, cli.Synth.Stderr);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(cli.Synth.Stdout));
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(yaml.Documents).RootNode);
        var resources = Assert.IsType<YamlMappingNode>(root.Children[new YamlScalarNode("Resources")]);
        var template = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(cli.AssemblyDir, "RdsStack-dev.template.json")))!.AsObject();
        Assert.Equal(
            template.Resources().Select(r => r.Id).OrderBy(id => id, StringComparer.Ordinal),
            resources.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).OrderBy(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public void A_synth_warning_names_the_construct_and_the_fix_without_a_jsii_stack_frame()
    {
        Assert.True(cli.SandboxSynth.ExitCode == 0, cli.SandboxSynth.Stderr);
        var stderr = cli.SandboxSynth.Stderr;
        Assert.Contains("WARNING No SSH to this sandbox: add your network with -c operatorCidrs=", stderr);
        Assert.Contains("   RdsStack-sandbox-cli/Bastion\n", stderr);
        Assert.Contains($"Acknowledge with 'Annotation::{App.EnvironmentStack.SandboxAdmitsNoSshWarning}'", stderr);
        Assert.DoesNotContain("The bastion admits no SSH", stderr);
        Assert.DoesNotContain("program.js", stderr);
        Assert.DoesNotMatch(@"\.js:\d+:\d+", stderr);
        Assert.DoesNotContain("warning-annotation", stderr);
    }

    [Fact]
    public void Every_warning_the_library_can_give_is_explained_in_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(ProgramTests.RepositoryRoot(), "README.md"));
        var ids = typeof(Library.BastionHost).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.Name.EndsWith("Warning", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Contains($"| `{id}` |", readme));
    }
}
