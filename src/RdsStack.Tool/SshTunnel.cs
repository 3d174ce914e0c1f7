using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace RdsStack.Tool;

/// <summary>What the tunnel needs to know about the person and the environment, for messages.</summary>
/// <param name="Environment">Environment name (for the <c>operatorCidrs.&lt;env&gt;</c> hint).</param>
/// <param name="StackName">Stack name.</param>
public sealed record TunnelContext(string Environment, string StackName);

/// <summary>
/// An SSH tunnel to the database through the bastion, in this process (SSH.NET): the bastion must present one of
/// its published host keys, the login uses the caller's own key, and a local port on 127.0.0.1 (free, chosen by
/// the OS) forwards to the database endpoint. Disposing closes the forward and the SSH session.
/// </summary>
public sealed class SshTunnel : IDisposable
{
    private readonly SshClient client;
    private readonly ForwardedPortLocal forward;
    private readonly List<Exception> forwardErrors = new();

    private SshTunnel(SshClient client, ForwardedPortLocal forward)
    {
        this.client = client;
        this.forward = forward;
        forward.Exception += (_, e) =>
        {
            lock (forwardErrors)
            {
                forwardErrors.Add(e.Exception);
            }
        };
    }

    /// <summary>The local port (on 127.0.0.1) that reaches the database.</summary>
    public int LocalPort => (int)forward.BoundPort;

    /// <summary>How long SSH took to connect, authenticate and start forwarding.</summary>
    public TimeSpan SetupTime { get; private init; }

    /// <summary>True when the bastion could not open a connection to the database (the last forward attempt failed).</summary>
    public bool ForwardFailed
    {
        get
        {
            lock (forwardErrors)
            {
                return forwardErrors.Count > 0;
            }
        }
    }

    /// <summary>Opens the tunnel.</summary>
    /// <param name="bastionHost">The bastion's address.</param>
    /// <param name="sshPort">Its SSH port.</param>
    /// <param name="login">The login name.</param>
    /// <param name="key">The private key.</param>
    /// <param name="hostKeys">The published host keys.</param>
    /// <param name="databaseHost">The database endpoint (resolved by the bastion).</param>
    /// <param name="databasePort">The database port.</param>
    /// <param name="connectTimeout">How long to wait for the bastion to answer.</param>
    /// <param name="context">Names for messages.</param>
    public static SshTunnel Open(
        string bastionHost,
        int sshPort,
        string login,
        IPrivateKeySource key,
        BastionHostKeys hostKeys,
        string databaseHost,
        int databasePort,
        TimeSpan connectTimeout,
        TunnelContext context)
    {
        var stopwatch = Stopwatch.StartNew();
        var info = new ConnectionInfo(bastionHost, sshPort, login, new PrivateKeyAuthenticationMethod(login, key)) { Timeout = connectTimeout };
        var client = new SshClient(info);
        string? refusal = null;
        client.HostKeyReceived += (_, e) =>
        {
            e.CanTrust = hostKeys.Contains(e.HostKey);
            if (!e.CanTrust)
            {
                refusal = hostKeys.MismatchMessage($"{bastionHost}:{sshPort}", e.HostKeyName, e.HostKey);
            }
        };

        try
        {
            client.Connect();
        }
        catch (Exception e) when (refusal is not null)
        {
            client.Dispose();
            throw new ToolException(refusal, e);
        }
        catch (Exception e) when (IsTimeout(e))
        {
            client.Dispose();
            throw new ToolException(
                $"The bastion {bastionHost}:{sshPort} did not answer within {connectTimeout.TotalSeconds:0} s: your network's address is probably not admitted on it.\n" +
                $"  Find your address:  rdsstack myip\n" +
                $"  Admit it: add it to \"{context.Environment}\" in config/access.json (shared environments, reviewed like code)," +
                $" or for a sandbox deploy with -c operatorCidrs.{context.Environment}=<your address>/32, then run cdk deploy {context.StackName} again.",
                e);
        }
        catch (SshAuthenticationException e)
        {
            client.Dispose();
            throw new ToolException(
                $"The bastion refused the key for login '{login}': {e.Message}\n" +
                "  Is your public key registered for you on this environment (config/access.json, then deploy)? Use --identity to pick another key file.",
                e);
        }
        catch (Exception e) when (e is SocketException or SshConnectionException)
        {
            client.Dispose();
            throw new ToolException($"Cannot reach the bastion {bastionHost}:{sshPort}: {e.Message}", e);
        }

        var forward = new ForwardedPortLocal(IPAddress.Loopback.ToString(), 0, databaseHost, (uint)databasePort);
        client.AddForwardedPort(forward);
        forward.Start();
        return new SshTunnel(client, forward) { SetupTime = stopwatch.Elapsed };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (forward.IsStarted)
            {
                forward.Stop();
            }
        }
        finally
        {
            forward.Dispose();
            client.Dispose();
        }
    }

    private static bool IsTimeout(Exception e) =>
        e is SshOperationTimeoutException
        || (e is SocketException s && s.SocketErrorCode is SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
        || (e.InnerException is { } inner && IsTimeout(inner));
}
