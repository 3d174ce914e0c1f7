using System.Diagnostics;

namespace RdsStack.Tool;

/// <summary>
/// Starts <c>psql</c> through the tunnel with everything in its environment: <c>PGHOST</c> is the real endpoint (the
/// name verify-full checks) while <c>PGHOSTADDR</c> sends the packets into the tunnel; the token is in
/// <c>PGPASSWORD</c>, never on a command line.
/// </summary>
public static class PsqlLauncher
{
    /// <summary>The full path of psql on PATH, or null.</summary>
    public static string? Find() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "psql.exe" : "psql"))
            .FirstOrDefault(File.Exists);

    /// <summary>The libpq environment for a session through the tunnel.</summary>
    public static IReadOnlyDictionary<string, string> Environment(ConnectionFacts facts, int localPort, string user, string password, string caFile) =>
        new Dictionary<string, string>
        {
            ["PGHOST"] = facts.Database.Endpoint,
            ["PGHOSTADDR"] = "127.0.0.1",
            ["PGPORT"] = localPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGDATABASE"] = facts.Database.Name,
            ["PGUSER"] = user,
            ["PGSSLMODE"] = "verify-full",
            ["PGSSLROOTCERT"] = caFile,
            ["PGPASSWORD"] = password,
            ["PGAPPNAME"] = "rdsstack",
        };

    /// <summary>Runs psql interactively (inheriting the terminal) and returns its exit code.</summary>
    public static async Task<int> RunAsync(string psql, IReadOnlyDictionary<string, string> environment, IEnumerable<string> extraArguments)
    {
        var info = new ProcessStartInfo(psql) { UseShellExecute = false };
        foreach (var argument in extraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new ToolException($"Could not start {psql}.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
