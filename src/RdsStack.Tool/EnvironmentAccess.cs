using Amazon.SimpleSystemsManagement;
using Renci.SshNet;

namespace RdsStack.Tool;

/// <summary>Options every command that reaches a database shares.</summary>
public sealed record AccessOptions
{
    /// <summary>The stack name.</summary>
    public required string StackName { get; init; }

    /// <summary>A connection-facts file instead of the SSM parameter (offline use, tests).</summary>
    public string? FactsFile { get; init; }

    /// <summary>Region of the SSM reads; default: the profile's.</summary>
    public string? Region { get; init; }

    /// <summary>The person: bastion login and IAM database user.</summary>
    public required string User { get; init; }

    /// <summary>The SSH private key file; null = the generated key (sandboxes that have one) or ~/.ssh/id_ed25519.</summary>
    public string? Identity { get; init; }

    /// <summary>Replaces the shipped RDS CA bundle (tests, air-gapped setups).</summary>
    public string? CaBundle { get; init; }

    /// <summary>How long to wait for the bastion.</summary>
    public TimeSpan SshTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// The steps shared by <c>connect</c> and <c>users sync</c>: read the facts (SSM or file), the host keys and the SSH
/// key, then open the verified tunnel.
/// </summary>
public sealed class EnvironmentAccess : IDisposable
{
    private AwsSession? session;
    private ParameterStore? store;

    private EnvironmentAccess(AccessOptions options, ConnectionFacts facts)
    {
        Options = options;
        Facts = facts;
    }

    /// <summary>The options.</summary>
    public AccessOptions Options { get; }

    /// <summary>The environment's connection facts.</summary>
    public ConnectionFacts Facts { get; }

    /// <summary>The open tunnel, after <see cref="OpenTunnelAsync"/>.</summary>
    public SshTunnel? Tunnel { get; private set; }

    /// <summary>Reads the facts.</summary>
    public static async Task<EnvironmentAccess> LoadAsync(AccessOptions options, CancellationToken cancellationToken)
    {
        if (options.FactsFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new ToolException($"--facts {file}: no such file.");
            }

            var facts = ConnectionFacts.Parse(await File.ReadAllTextAsync(file, cancellationToken), file);
            if (facts.StackName != options.StackName)
            {
                throw new ToolException($"{file} describes stack '{facts.StackName}', not '{options.StackName}'.");
            }

            return new EnvironmentAccess(options, facts);
        }

        var session = await AwsSession.ResolveAsync(options.Region, cancellationToken);
        var store = NewParameterStore(session);
        var published = await store.ReadFactsAsync(options.StackName, cancellationToken);
        return new EnvironmentAccess(options, published) { session = session, store = store };
    }

    /// <summary>The AWS session, resolved on first use (an offline facts file with a test password never needs one).</summary>
    public async Task<AwsSession> SessionAsync(CancellationToken cancellationToken) =>
        session ??= await AwsSession.ResolveAsync(Options.Region ?? Facts.Region, cancellationToken);

    /// <summary>Opens the tunnel: host keys, SSH key, connect, forward.</summary>
    public async Task<SshTunnel> OpenTunnelAsync(CancellationToken cancellationToken)
    {
        var bastion = Facts.Bastion ?? throw new ToolException(
            $"{Facts.StackName} has no bastion (its preset has none): reach the database from inside the VPC, or use Session Manager port forwarding.");
        var hostKeys = bastion.HostKeys is { } inline
            ? BastionHostKeys.Parse(inline, $"{Options.FactsFile} (bastion.hostKeys)")
            : await (await ParametersAsync(cancellationToken)).ReadHostKeysAsync(bastion.HostKeysParameter, cancellationToken);
        var (login, key) = await LoginAsync(bastion, cancellationToken);
        Tunnel = await Task.Run(
            () => SshTunnel.Open(bastion.Address, bastion.SshPort, login, key, hostKeys, Facts.Database.Endpoint, Facts.Database.Port, Options.SshTimeout, new TunnelContext(Facts.Environment, Facts.StackName)),
            cancellationToken);
        return Tunnel;
    }

    /// <inheritdoc />
    public void Dispose() => Tunnel?.Dispose();

    private async Task<(string Login, IPrivateKeySource Key)> LoginAsync(BastionFacts bastion, CancellationToken cancellationToken)
    {
        if (Options.Identity is null && bastion.GeneratedKeyParameter is { } parameter && Options.FactsFile is null)
        {
            var pem = await (await ParametersAsync(cancellationToken)).ReadSecureAsync(parameter, cancellationToken);
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(pem));
            return (bastion.GeneratedKeyUser ?? "ec2-user", new PrivateKeyFile(stream));
        }

        var path = Options.Identity ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "id_ed25519");
        if (path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        }

        if (!File.Exists(path))
        {
            throw new ToolException($"No SSH key at {path}. Pass --identity <your private key file> (its public key must be registered for you in config/access.json).");
        }

        try
        {
            return (Options.User, new PrivateKeyFile(path));
        }
        catch (Renci.SshNet.Common.SshPassPhraseNullOrEmptyException e)
        {
            throw new ToolException($"{path} is protected by a passphrase, which the tool cannot prompt for: use a key file without a passphrase (kept readable only by you).", e);
        }
    }

    private async Task<ParameterStore> ParametersAsync(CancellationToken cancellationToken)
    {
        return store ??= NewParameterStore(await SessionAsync(cancellationToken));
    }

    private static ParameterStore NewParameterStore(AwsSession session) =>
        new(new AmazonSimpleSystemsManagementClient(session.SdkCredentials, session.Region), session.Profile);
}
