namespace RdsStack.Tool;

/// <summary>
/// What <c>connect --print</c> writes to stdout: the libpq settings for another client, one <c>export</c> line each.
/// The password (an IAM token, valid 15 minutes) is left out unless <c>--show-token</c> asks for it; instead a line
/// says how to make one, so the token does not end up in terminal scrollback, logs or CI output by default.
/// </summary>
public static class PrintedSettings
{
    /// <summary>Where the password of a <c>--print</c> session comes from.</summary>
    /// <param name="Value">The password the tool logged in with (an IAM token, or the tests-only variable's value).</param>
    /// <param name="TestVariable">The <c>--password-from-env</c> variable, when the password came from one (tests only).</param>
    public sealed record Password(string Value, string? TestVariable);

    /// <summary>The lines to print.</summary>
    /// <param name="facts">The stack's connection facts.</param>
    /// <param name="environment">The libpq environment (<see cref="PsqlLauncher.Environment"/>), PGPASSWORD included.</param>
    /// <param name="password">The password and where it came from.</param>
    /// <param name="showToken">Print the password itself (<c>--show-token</c>).</param>
    /// <param name="profile">The AWS profile in use (AWS_PROFILE), for the token command; null for the default chain.</param>
    public static IReadOnlyList<string> Lines(ConnectionFacts facts, IReadOnlyDictionary<string, string> environment, Password password, bool showToken, string? profile)
    {
        var port = environment["PGPORT"];
        var user = environment["PGUSER"];
        var lines = new List<string>
        {
            $"# {facts.StackName}: tunnel open on 127.0.0.1:{port} until Ctrl-C.",
        };
        lines.AddRange(environment.Where(e => e.Key != "PGPASSWORD").Select(e => $"export {e.Key}={ShellQuote(e.Value)}"));

        if (password.TestVariable is { } variable)
        {
            // Tests only: the password is not a token, and the variable already holds it.
            lines.Add($"# The password came from --password-from-env {variable} (tests only, not an IAM token).");
            lines.Add(showToken ? $"export PGPASSWORD={ShellQuote(password.Value)}" : $"export PGPASSWORD=\"${{{variable}}}\"");
        }
        else if (showToken)
        {
            lines.Add("# PGPASSWORD is an RDS IAM token: valid for 15 minutes for new connections. Keep it out of logs.");
            lines.Add($"export PGPASSWORD={ShellQuote(password.Value)}");
        }
        else
        {
            var profileArgument = string.IsNullOrEmpty(profile) ? string.Empty : $" --profile {ShellQuote(profile)}";
            lines.Add($"# The password is an RDS IAM token for {user} (valid 15 minutes); it is not printed. Make one with the line below,");
            lines.Add("# or run again with --show-token to print it here.");
            lines.Add($"export PGPASSWORD=\"$(aws rds generate-db-auth-token --hostname {facts.Database.Endpoint} --port {facts.Database.Port} --username {user} --region {facts.Region}{profileArgument})\"");
        }

        lines.Add($"# or: psql \"host={environment["PGHOST"]} hostaddr=127.0.0.1 port={port} dbname={environment["PGDATABASE"]} user={user} sslmode=verify-full sslrootcert={environment["PGSSLROOTCERT"]}\"");
        return lines;
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
