using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The built app as the CDK CLI runs it (context through CDK_CONTEXT_JSON): a bad value must stop synth with
/// exit code 1 and one line naming the key — and write no template.
/// </summary>
public sealed class ProgramTests
{
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RdsStack.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("RdsStack.sln not found above " + AppContext.BaseDirectory);
    }

    internal static (int ExitCode, string Stderr, string OutDir) RunApp(Dictionary<string, string> context, string? workingDirectory = null)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(RepositoryRoot(), "src", "RdsStack", "bin", configuration, "net10.0", "RdsStack.dll");
        Assert.True(File.Exists(dll), $"built app not found at {dll}");
        var outDir = Directory.CreateTempSubdirectory("rdsstack-program-").FullName;
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\"") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        start.Environment["CDK_CONTEXT_JSON"] = JsonSerializer.Serialize(CdkJson.Context(context.ToDictionary(c => c.Key, c => (object)c.Value)));
        start.Environment["CDK_OUTDIR"] = outDir;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the app did not finish within two minutes");
        return (process.ExitCode, stderr.Result, outDir);
    }

    [Fact]
    public void In_a_checkout_configDir_cannot_swap_the_committed_configuration_of_the_shared_environments()
    {
        // The app runs where cdk runs: next to cdk.json and the committed config/ (the repository root).
        var substitute = Directory.CreateTempSubdirectory("rdsstack-other-config-").FullName;
        foreach (var file in Directory.GetFiles(CdkJson.ConfigDir))
        {
            File.Copy(file, Path.Combine(substitute, Path.GetFileName(file)));
        }

        var (exitCode, stderr, outDir) = RunApp(new Dictionary<string, string> { ["configDir"] = substitute }, RepositoryRoot());
        Assert.Equal(1, exitCode);
        Assert.Contains($"RdsStack: Invalid setting 'configDir': '{substitute}'", stderr);
        Assert.Contains("reviewed commit", stderr);
        Assert.Empty(Directory.GetFiles(outDir, "*.template.json"));

        // The committed directory itself, named explicitly, is fine.
        var (ok, okErrors, _) = RunApp(new Dictionary<string, string> { ["configDir"] = CdkJson.ConfigDir }, RepositoryRoot());
        Assert.True(ok == 0, okErrors);
    }

    [Theory]
    [InlineData("sandbox", "Bad_Name!")]
    [InlineData("operatorCidrs", "not-a-cidr")]
    [InlineData("operatorCidrs", "0.0.0.0/0")]
    [InlineData("appSecurityGroupId", "sg-nope")]
    public void A_bad_context_value_fails_synth_with_one_line_naming_the_key(string key, string value)
    {
        var (exitCode, stderr, outDir) = RunApp(new Dictionary<string, string> { [key] = value });
        Assert.Equal(1, exitCode);
        Assert.Contains($"RdsStack: Invalid setting '{key}': '{value}'. Allowed:", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Empty(Directory.GetFiles(outDir, "*.template.json"));
    }

    [Fact]
    public void An_unknown_context_key_from_the_cli_fails_synth_with_one_line_naming_the_nearest_key()
    {
        var (exitCode, stderr, outDir) = RunApp(new Dictionary<string, string> { ["sandbx"] = "alice" });
        Assert.Equal(1, exitCode);
        Assert.Contains("RdsStack: Invalid setting 'sandbx'", stderr);
        Assert.Contains("did you mean 'sandbox'?", stderr);
        Assert.Empty(Directory.GetFiles(outDir, "*.template.json"));
    }

    [Fact]
    public void Prod_placed_in_the_sandbox_account_fails_synth_with_one_line_and_no_template()
    {
        var config = Directory.CreateTempSubdirectory("rdsstack-accounts-").FullName;
        File.WriteAllText(Path.Combine(config, "accounts.json"), "{ \"environments\": { \"prod\": { \"account\": \"222222222222\" }, \"sandbox\": { \"account\": \"222222222222\" } } }");
        var (exitCode, stderr, outDir) = RunApp(new Dictionary<string, string> { ["configDir"] = config });
        Assert.Equal(1, exitCode);
        Assert.Contains("RdsStack: Invalid setting 'account.prod': '222222222222'. Allowed: an account of its own: 'sandbox' is placed in the same account", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Empty(Directory.GetFiles(outDir, "*.template.json"));
    }

    [Fact]
    public void Good_context_synthesizes_every_environment_and_the_named_sandbox()
    {
        // With the keys the CDK CLI injects itself (seen in CDK_CONTEXT_JSON of `cdk synth`, CLI 2.1148.1).
        var (exitCode, stderr, outDir) = RunApp(new Dictionary<string, string>
        {
            ["sandbox"] = "bob",
            ["aws:cdk:enable-path-metadata"] = "true",
            ["aws:cdk:enable-asset-metadata"] = "true",
            ["aws:cdk:version-reporting"] = "true",
            ["aws:cdk:bundling-stacks"] = "**",
        });
        Assert.True(exitCode == 0, stderr);
        var templates = Directory.GetFiles(outDir, "*.template.json").Select(Path.GetFileName).OrderBy(n => n);
        Assert.Equal(new[] { "RdsStack-dev.template.json", "RdsStack-prod.template.json", "RdsStack-sandbox-bob.template.json", "RdsStack-staging.template.json" }, templates);
    }
}
