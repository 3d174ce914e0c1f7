using System.Net;
using System.Net.Sockets;
using Renci.SshNet;

namespace RdsStack.Tool.Tests;

/// <summary>
/// The "your address is not admitted" case: a security group drops the SYN, so the connection times out. On
/// loopback the same happens with a listener whose accept queue is full (Linux drops further SYNs).
/// </summary>
public sealed class SshTunnelTests
{
    [Fact]
    public void A_bastion_that_does_not_answer_means_your_address_is_not_admitted()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = Enumerable.Range(0, 3).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        foreach (var filler in fillers)
        {
            filler.Blocking = false;
            try
            {
                filler.Connect(IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                // in progress or dropped: either way the queue fills
            }
        }

        Thread.Sleep(200);
        var key = NewKey();
        var hostKeys = BastionHostKeys.Parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsVxk0VmX2WzLhYkmVvJ1c1k7pXQ2m0Qe1n3l5Rkq3T", "test");

        var error = Assert.Throws<ToolException>(() => SshTunnel.Open("127.0.0.1", port, "alice", key, hostKeys, "db.example", 5432, TimeSpan.FromSeconds(1), new TunnelContext("dev", "RdsStack-dev")));

        Assert.Contains("did not answer within 1 s", error.Message);
        Assert.Contains("rdsstack myip", error.Message);
        Assert.Contains("-c operatorCidrs.dev=<your address>/32", error.Message);
        Assert.Contains("config/access.json", error.Message);
        fillers.ForEach(f => f.Dispose());
    }

    private static PrivateKeyFile NewKey()
    {
        var directory = Directory.CreateTempSubdirectory("rdsstack-ssh-");
        var file = Path.Combine(directory.FullName, "id");
        using (var process = System.Diagnostics.Process.Start("ssh-keygen", new[] { "-q", "-t", "ed25519", "-N", string.Empty, "-f", file })!)
        {
            process.WaitForExit();
        }

        var key = new PrivateKeyFile(new MemoryStream(File.ReadAllBytes(file)));
        directory.Delete(recursive: true);
        return key;
    }
}
