using System.Diagnostics;

namespace RdsStack.Tool.Tests;

/// <summary>
/// The independent oracle: the aws CLI v1 in this machine image and the Python that runs it (with botocore).
/// Runs with fixed environment credentials, no config or credentials file, and instance metadata disabled, so
/// nothing leaves the machine.
/// </summary>
internal static class Botocore
{
    private static readonly Lazy<string> AwsPath = new(() => Which("aws") ?? throw new InvalidOperationException("the aws CLI (botocore) is not on PATH"));

    /// <summary>The Python interpreter named in the aws script's first line.</summary>
    public static string Python
    {
        get
        {
            var firstLine = File.ReadLines(ResolvePyenvShim(AwsPath.Value)).First();
            return firstLine.StartsWith("#!", StringComparison.Ordinal) ? firstLine[2..].Trim() : "python3";
        }
    }

    public static string Aws(IDictionary<string, string?> environment, params string[] arguments) =>
        Run(AwsPath.Value, arguments, environment, null);

    public static string RunPython(string script, IDictionary<string, string?> environment) =>
        Run(Python, new[] { "-c", script }, environment, null);

    public static Dictionary<string, string?> Environment(AwsCredentials credentials)
    {
        var empty = Path.Combine(Path.GetTempPath(), "rdsstack-tests-no-aws-config");
        return new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = credentials.SessionToken,
            ["AWS_SECURITY_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_DEFAULT_PROFILE"] = null,
            ["AWS_CONFIG_FILE"] = empty,
            ["AWS_SHARED_CREDENTIALS_FILE"] = empty,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
    }

    private static string Run(string file, IEnumerable<string> arguments, IDictionary<string, string?> environment, string? stdin)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {error.Result}");
        }

        return output.Result.Trim();
    }

    private static string ResolvePyenvShim(string path)
    {
        // A pyenv shim is a shell script; ask pyenv for the real script.
        if (File.ReadLines(path).First().Contains("bash", StringComparison.Ordinal) && Which("pyenv") is { } pyenv)
        {
            return Run(pyenv, new[] { "which", "aws" }, new Dictionary<string, string?>(), null);
        }

        return path;
    }

    private static string? Which(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
