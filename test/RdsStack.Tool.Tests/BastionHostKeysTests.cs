using System.Diagnostics;

namespace RdsStack.Tool.Tests;

/// <summary>Host keys as the bastion publishes them; fingerprints compared with OpenSSH's own ssh-keygen.</summary>
public sealed class BastionHostKeysTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("rdsstack-hostkeys-");

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public void Fingerprints_are_the_ones_ssh_keygen_prints(string type)
    {
        var publicKey = NewKey(type);

        var keys = BastionHostKeys.Parse(publicKey, "test");

        var expected = Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(directory.FullName, type + ".pub")).Split(' ')[1];
        Assert.Equal(expected, Assert.Single(keys.Fingerprints).Fingerprint);
    }

    [Fact]
    public void Only_a_published_key_is_trusted_and_a_refusal_shows_both_fingerprints()
    {
        var published = BastionHostKeys.Parse(NewKey("ed25519") + "\n" + NewKey("ecdsa") + "\n", "test");
        var impostor = Convert.FromBase64String(NewKey("rsa").Split(' ')[1]);
        var genuine = Convert.FromBase64String(File.ReadAllText(Path.Combine(directory.FullName, "ecdsa.pub")).Split(' ')[1]);

        Assert.True(published.Contains(genuine));
        Assert.False(published.Contains(impostor));
        var message = published.MismatchMessage("bastion:22", "ssh-rsa", impostor);
        Assert.StartsWith("REFUSED", message);
        Assert.Contains($"presented: ssh-rsa {BastionHostKeys.Fingerprint(impostor)}", message);
        foreach (var (keyType, fingerprint) in published.Fingerprints)
        {
            Assert.Contains($"published: {keyType} {fingerprint}", message);
        }
    }

    [Theory]
    [InlineData("pending", "has not published its host keys yet")]
    [InlineData("", "holds no host key")]
    [InlineData("ssh-ed25519", "not '<type> <base64>'")]
    [InlineData("ssh-ed25519 not*base64", "not base64")]
    public void Unusable_values_are_refused(string value, string expected)
    {
        var error = Assert.Throws<ToolException>(() => BastionHostKeys.Parse(value, "/rdsstack/x/bastion/host-keys"));
        Assert.Contains(expected, error.Message);
    }

    public void Dispose() => directory.Delete(recursive: true);

    private string NewKey(string type)
    {
        var file = Path.Combine(directory.FullName, type);
        Run("ssh-keygen", "-q", "-t", type, "-N", string.Empty, "-C", "root@bastion", "-f", file);
        var parts = File.ReadAllText(file + ".pub").Split(' ');
        return $"{parts[0]} {parts[1]}";
    }

    private static string Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }
}
