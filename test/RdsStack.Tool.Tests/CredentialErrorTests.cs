using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace RdsStack.Tool.Tests;

/// <summary>
/// The built tool, run as a person would, with no usable AWS credentials: the message names the command that fixes
/// it. Each run gets an empty home, no credentials in the environment and instance metadata disabled, so nothing
/// leaves the machine.
/// </summary>
public sealed class CredentialErrorTests : IDisposable
{
    private readonly DirectoryInfo home = Directory.CreateTempSubdirectory("rdsstack-home-");

    [Fact]
    public void No_credentials_says_how_to_sign_in()
    {
        var (exitCode, _, stderr) = RunTool(new Dictionary<string, string?>(), "connect", "RdsStack-dev", "--region", "eu-west-1", "--exec", "select 1");

        Assert.Equal(1, exitCode);
        Assert.Contains("No AWS credentials found", stderr);
        Assert.Contains("aws sso login --profile", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void An_expired_sso_session_names_the_profile_to_log_in_again()
    {
        const string startUrl = "https://rdsstack-example.awsapps.com/start";
        var aws = Directory.CreateDirectory(Path.Combine(home.FullName, ".aws", "sso", "cache"));
        File.WriteAllText(Path.Combine(home.FullName, ".aws", "config"), $"""
            [profile team-dev]
            sso_start_url = {startUrl}
            sso_region = eu-west-1
            sso_account_id = 123456789012
            sso_role_name = Operator
            region = eu-west-1
            """);
        var cacheName = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(startUrl))) + ".json";
        File.WriteAllText(Path.Combine(aws.FullName, cacheName), $$"""{"startUrl":"{{startUrl}}","region":"eu-west-1","accessToken":"expired-token","expiresAt":"2020-01-01T00:00:00Z"}""");

        var (exitCode, _, stderr) = RunTool(
            new Dictionary<string, string?> { ["AWS_CONFIG_FILE"] = Path.Combine(home.FullName, ".aws", "config") },
            "connect", "RdsStack-dev", "--profile", "team-dev", "--exec", "select 1");

        Assert.Equal(1, exitCode);
        Assert.Contains("SSO session for profile 'team-dev'", stderr);
        Assert.Contains("aws sso login --profile team-dev", stderr);
    }

    [Fact]
    public void The_help_lists_the_commands()
    {
        var (exitCode, stdout, _) = RunTool(new Dictionary<string, string?>(), "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("connect", stdout);
        Assert.Contains("myip", stdout);
        Assert.Contains("users", stdout);
    }

    public void Dispose() => home.Delete(recursive: true);

    private (int ExitCode, string Stdout, string Stderr) RunTool(Dictionary<string, string?> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add(typeof(ToolException).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["HOME"] = home.FullName;
        info.Environment["AWS_CONFIG_FILE"] = Path.Combine(home.FullName, "no-config");
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home.FullName, "no-credentials");
        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the tool did not finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
