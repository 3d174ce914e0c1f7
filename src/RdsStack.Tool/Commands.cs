using System.Diagnostics;
using Spectre.Console;

namespace RdsStack.Tool;

/// <summary>What <c>connect</c> does once the tunnel is up.</summary>
public enum ConnectMode
{
    /// <summary>Start psql (default when psql is on PATH).</summary>
    Psql,

    /// <summary>Run one statement and print its rows.</summary>
    Exec,

    /// <summary>Print the connection settings (the token only with --show-token) and keep the tunnel open until Ctrl-C.</summary>
    Print,
}

/// <summary>The commands' bodies; <see cref="Program"/> only parses the command line.</summary>
public static class Commands
{
    /// <summary>Progress and messages go to stderr, so stdout carries only results.</summary>
    public static readonly IAnsiConsole Ui = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Prints an error for a person: no stack trace, the message as written.</summary>
    public static void Error(string message)
    {
        // Written as is (no wrapping at 80 columns when redirected), so a log or a script sees whole lines.
        var prefix = Console.IsErrorRedirected ? "rdsstack: " : "\u001b[31mrdsstack:\u001b[0m ";
        Console.Error.WriteLine(prefix + message);
    }

    /// <summary><c>rdsstack connect</c>.</summary>
    public static async Task<int> ConnectAsync(AccessOptions options, ConnectMode? requested, string? sql, string? passwordVariable, bool verbose, bool showToken, CancellationToken cancellationToken)
    {
        var psql = PsqlLauncher.Find();
        var mode = requested ?? (sql is not null ? ConnectMode.Exec : psql is not null ? ConnectMode.Psql : ConnectMode.Print);
        if (mode == ConnectMode.Psql && psql is null)
        {
            throw new ToolException("psql is not on PATH: install the PostgreSQL client, or use --print (settings for another client) or --exec \"<sql>\".");
        }

        if (mode == ConnectMode.Exec && string.IsNullOrWhiteSpace(sql))
        {
            throw new ToolException("--exec needs a statement, e.g. --exec \"select current_user\".");
        }

        if (showToken && mode != ConnectMode.Print)
        {
            throw new ToolException("--show-token only goes with --print (psql and --exec never show the token).");
        }

        using var access = await Step("Reading the connection facts", () => EnvironmentAccess.LoadAsync(options, cancellationToken));
        var facts = access.Facts;
        var ca = RdsCaBundle.For(facts.Region, options.CaBundle);
        var password = passwordVariable is not null
            ? TestPassword(passwordVariable)
            : RdsAuthToken.Generate(facts.Database.Endpoint, facts.Database.Port, options.User, facts.Region, await (await access.SessionAsync(cancellationToken)).CurrentCredentialsAsync(), DateTime.UtcNow);

        var stopwatch = Stopwatch.StartNew();
        var tunnel = await Step($"Opening the SSH tunnel through {facts.Bastion?.Address}", () => access.OpenTunnelAsync(cancellationToken));
        var tunnelUp = stopwatch.Elapsed;
        var connector = new DatabaseConnector(facts, tunnel, ca);
        await using (var connection = await Step($"Connecting to {facts.Database.Name} as {options.User} (TLS verify-full)", () => connector.OpenAsync(options.User, password, cancellationToken)))
        {
            if (mode == ConnectMode.Exec)
            {
                var (rows, _) = await DatabaseConnector.ExecuteAsync(connection, sql!, cancellationToken);
                var firstResult = stopwatch.Elapsed;
                foreach (var row in rows)
                {
                    Console.Out.WriteLine(row);
                }

                if (verbose)
                {
                    Console.Error.WriteLine($"timing: tunnel up {tunnelUp.TotalMilliseconds:0} ms, first query answered {firstResult.TotalMilliseconds:0} ms after start ({(firstResult - tunnelUp).TotalMilliseconds:0} ms from tunnel up)");
                }

                return 0;
            }
        }

        var directory = Directory.CreateTempSubdirectory("rdsstack-");
        try
        {
            var caFile = ca.WriteTemporaryPem(directory.FullName);
            var environment = PsqlLauncher.Environment(facts, tunnel.LocalPort, options.User, password, caFile);
            if (mode == ConnectMode.Psql)
            {
                Ui.WriteLine($"Connected to {facts.StackName} as {options.User} through 127.0.0.1:{tunnel.LocalPort}. The tunnel closes when psql exits.", new Style(Color.Green));
                using var ignoreInterrupts = IgnoreInterrupts();
                return await PsqlLauncher.RunAsync(psql!, environment, Array.Empty<string>());
            }

            var printed = PrintedSettings.Lines(facts, environment, new PrintedSettings.Password(password, passwordVariable), showToken, Environment.GetEnvironmentVariable("AWS_PROFILE"));
            foreach (var line in printed)
            {
                Console.Out.WriteLine(line);
            }

            await Console.Out.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Ui.WriteLine("Closing the tunnel.", new Style(Color.Grey));
            }

            return 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary><c>rdsstack users sync</c>.</summary>
    public static async Task<int> UsersSyncAsync(AccessOptions options, string declarationFile, bool dryRun, string? passwordVariable, CancellationToken cancellationToken)
    {
        using var access = await Step("Reading the connection facts", () => EnvironmentAccess.LoadAsync(options, cancellationToken));
        var facts = access.Facts;
        var declaration = UsersDeclaration.Load(declarationFile, facts.Environment, facts.Database.MasterUsername);
        var ca = RdsCaBundle.For(facts.Region, options.CaBundle);
        var password = passwordVariable is not null
            ? TestPassword(passwordVariable)
            : await Step("Reading the master password (RDS-managed secret)", () => MasterPasswordAsync(access, cancellationToken));
        var tunnel = await Step($"Opening the SSH tunnel through {facts.Bastion?.Address}", () => access.OpenTunnelAsync(cancellationToken));
        var connector = new DatabaseConnector(facts, tunnel, ca);
        await using var connection = await Step($"Connecting as {facts.Database.MasterUsername}", () => connector.OpenAsync(facts.Database.MasterUsername, password, cancellationToken));
        var result = await Step("Synchronizing login roles", () => new UsersSync(connection, facts.Database.MasterUsername).RunAsync(declaration, dryRun, cancellationToken));

        var verb = dryRun ? "would change" : "changed";
        Console.Out.WriteLine(result.Changes.Count == 0 ? $"{facts.StackName}: no changes" : $"{facts.StackName}: {verb} {result.Changes.Count}:");
        foreach (var change in result.Changes)
        {
            Console.Out.WriteLine($"  {change}");
        }

        foreach (var note in result.Notes)
        {
            Console.Out.WriteLine($"  note: {note}");
        }

        return 0;
    }

    /// <summary><c>rdsstack myip</c>.</summary>
    public static async Task<int> MyIpAsync(Uri service, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Console.Out.WriteLine(await PublicAddress.LookupAsync(http, service, cancellationToken));
        return 0;
    }

    private static async Task<string> MasterPasswordAsync(EnvironmentAccess access, CancellationToken cancellationToken)
    {
        var facts = access.Facts;
        var arn = facts.Database.SecretArn ?? throw new ToolException($"The connection facts of {facts.StackName} name no master secret (database.secretArn).");
        var session = await access.SessionAsync(cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var reader = new SecretsManagerReader(http, SecretsManagerReader.EndpointFor(facts.Region), facts.Region);
        return await reader.ReadPasswordAsync(arn, await session.CurrentCredentialsAsync(), DateTime.UtcNow, cancellationToken);
    }

    private static string TestPassword(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new ToolException($"--password-from-env {variable}: the variable is not set.");

    /// <summary>A step with a spinner on an interactive terminal; silent when stderr is redirected (scripts, CI).</summary>
    private static async Task<T> Step<T>(string description, Func<Task<T>> action) =>
        Console.IsErrorRedirected
            ? await action()
            : await Ui.Status().Spinner(Spinner.Known.Dots).StartAsync(description + "…", _ => action());

    private static IDisposable IgnoreInterrupts()
    {
        // psql handles Ctrl-C itself (it cancels the running query); the tunnel must outlive it.
        ConsoleCancelEventHandler handler = (_, e) => e.Cancel = true;
        Console.CancelKeyPress += handler;
        return new Unsubscribe(() => Console.CancelKeyPress -= handler);
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
