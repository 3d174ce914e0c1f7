using System.CommandLine;
using System.Runtime.InteropServices;

namespace RdsStack.Tool;

/// <summary>The <c>rdsstack</c> command line.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onInterrupt = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onInterrupt;
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        try
        {
            return await BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onInterrupt;
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("rdsstack: reach an RdsStack environment's PostgreSQL as yourself, through the bastion, with verified keys and certificates.");
        root.Subcommands.Add(ConnectCommand());
        root.Subcommands.Add(MyIpCommand());
        var users = new Command("users", "Database login roles.");
        users.Subcommands.Add(UsersSyncCommand());
        root.Subcommands.Add(users);
        return root;
    }

    private static Command ConnectCommand()
    {
        var shared = new SharedOptions();
        var psql = new Option<bool>("--psql") { Description = "Start psql through the tunnel (the default when psql is on PATH)." };
        var exec = new Option<string?>("--exec") { Description = "Run one SQL statement and print its rows (tab-separated, no header)." };
        var print = new Option<bool>("--print") { Description = "Print the connection settings for another client (without the token unless --show-token) and keep the tunnel open until Ctrl-C." };
        var showToken = new Option<bool>("--show-token") { Description = "With --print: include the IAM token (PGPASSWORD, valid 15 minutes) in the printed settings. Without it the token is not printed; a line says how to make one." };
        var verbose = new Option<bool>("--verbose") { Description = "Print timings (tunnel up, first query) to stderr." };
        var command = new Command("connect", "Open a verified SSH tunnel to the bastion and connect to the database as your own IAM database user (RDS IAM token, TLS verify-full).");
        shared.AddTo(command);
        command.Options.Add(psql);
        command.Options.Add(exec);
        command.Options.Add(print);
        command.Options.Add(showToken);
        command.Options.Add(verbose);
        command.SetAction((result, cancellationToken) => Guard(() =>
        {
            var modes = new List<ConnectMode>();
            if (result.GetValue(psql))
            {
                modes.Add(ConnectMode.Psql);
            }

            if (result.GetValue(exec) is not null)
            {
                modes.Add(ConnectMode.Exec);
            }

            if (result.GetValue(print))
            {
                modes.Add(ConnectMode.Print);
            }

            if (modes.Count > 1)
            {
                throw new ToolException("Choose one of --psql, --exec and --print.");
            }

            return Commands.ConnectAsync(shared.Read(result), modes.Count == 1 ? modes[0] : null, result.GetValue(exec), result.GetValue(shared.PasswordFromEnv), result.GetValue(verbose), result.GetValue(showToken), cancellationToken);
        }));
        return command;
    }

    private static Command UsersSyncCommand()
    {
        var shared = new SharedOptions();
        var declaration = new Option<string>("--declaration")
        {
            Description = "The committed declaration of logins and their roles.",
            DefaultValueFactory = _ => Path.Combine("config", "database-users.json"),
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would change, change nothing." };
        var command = new Command("sync", "Make the database's login roles match config/database-users.json (as the master user, through the tunnel). Creates IAM logins, grants and revokes group roles, disables (NOLOGIN, rds_iam revoked) managed logins no longer declared; never drops a role or data.");
        shared.AddTo(command);
        command.Options.Add(declaration);
        command.Options.Add(dryRun);
        command.SetAction((result, cancellationToken) => Guard(() =>
            Commands.UsersSyncAsync(shared.Read(result), result.GetValue(declaration)!, result.GetValue(dryRun), result.GetValue(shared.PasswordFromEnv), cancellationToken)));
        return command;
    }

    private static Command MyIpCommand()
    {
        var service = new Option<Uri>("--service")
        {
            Description = "The address echo service.",
            DefaultValueFactory = _ => PublicAddress.DefaultService,
        };
        var command = new Command("myip", "Print your public address as a CIDR, for -c operatorCidrs.<env>=… or config/access.json.") { service };
        command.SetAction((result, cancellationToken) => Guard(() => Commands.MyIpAsync(result.GetValue(service)!, cancellationToken)));
        return command;
    }

    private static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ToolException e)
        {
            Commands.Error(e.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    private sealed class SharedOptions
    {
        public Argument<string> Stack { get; } = new("stack") { Description = "The stack, e.g. RdsStack-sandbox-alice." };

        public Option<string?> Facts { get; } = new("--facts") { Description = "Read the connection facts from this JSON file (the shape of SSM /rdsstack/<stack>/connection, plus bastion.hostKeys) instead of SSM: offline use and tests." };

        public Option<string?> Region { get; } = new("--region") { Description = "AWS region of the stack (default: AWS_REGION or the profile's)." };

        public Option<string?> Profile { get; } = new("--profile") { Description = "AWS profile (default: AWS_PROFILE, else 'default')." };

        public Option<string> User { get; } = new("--user", "-u")
        {
            Description = "Your operator name: bastion login and IAM database user (default: RDSSTACK_USER, else your OS user name).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RDSSTACK_USER") ?? Environment.UserName.ToLowerInvariant(),
        };

        public Option<string?> Identity { get; } = new("--identity", "-i") { Description = "Your SSH private key (default: the sandbox's generated key when it has one, else ~/.ssh/id_ed25519)." };

        public Option<string?> CaBundle { get; } = new("--ca-bundle") { Description = "Trust these CA certificates (PEM) instead of the RDS roots shipped in the tool. Tests and air-gapped setups only." };

        public Option<int> SshTimeout { get; } = new("--ssh-timeout") { Description = "Seconds to wait for the bastion.", DefaultValueFactory = _ => 15 };

        public Option<string?> PasswordFromEnv { get; } = new("--password-from-env") { Description = "TESTS ONLY: take the database password from this environment variable instead of an IAM token / the master secret (a local PostgreSQL cannot check IAM tokens)." };

        public void AddTo(Command command)
        {
            command.Arguments.Add(Stack);
            foreach (var option in new Option[] { Facts, Region, Profile, User, Identity, CaBundle, SshTimeout, PasswordFromEnv })
            {
                command.Options.Add(option);
            }
        }

        public AccessOptions Read(ParseResult result)
        {
            if (result.GetValue(Profile) is { } profile)
            {
                Environment.SetEnvironmentVariable("AWS_PROFILE", profile);
            }

            var user = result.GetValue(User)!;
            if (!UsersDeclaration.LoginPattern().IsMatch(user))
            {
                throw new ToolException($"--user '{user}' is not an operator name: 1 to 32 lowercase letters, digits and '_', starting with a letter.");
            }

            return new AccessOptions
            {
                StackName = result.GetValue(Stack)!,
                FactsFile = result.GetValue(Facts),
                Region = result.GetValue(Region),
                User = user,
                Identity = result.GetValue(Identity),
                CaBundle = result.GetValue(CaBundle),
                SshTimeout = TimeSpan.FromSeconds(result.GetValue(SshTimeout)),
            };
        }
    }
}
