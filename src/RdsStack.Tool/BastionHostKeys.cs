using System.Security.Cryptography;

namespace RdsStack.Tool;

/// <summary>
/// The bastion's published SSH host public keys (the value of <c>/rdsstack/&lt;stack&gt;/bastion/host-keys</c>: one
/// <c>&lt;type&gt; &lt;base64&gt;</c> per line, as in <c>/etc/ssh/ssh_host_*_key.pub</c>). A server is trusted only when
/// the key it presents is byte for byte one of these; there is no "accept any".
/// </summary>
public sealed class BastionHostKeys
{
    private readonly List<(string Type, byte[] Blob)> keys;

    private BastionHostKeys(List<(string Type, byte[] Blob)> keys) => this.keys = keys;

    /// <summary>The published keys as (type, SHA256 fingerprint).</summary>
    public IReadOnlyList<(string Type, string Fingerprint)> Fingerprints => keys.Select(k => (k.Type, Fingerprint(k.Blob))).ToList();

    /// <summary>
    /// Parses the parameter value. <c>pending</c> (the bastion has not booted yet) or no key at all is an error
    /// naming <paramref name="source"/>.
    /// </summary>
    public static BastionHostKeys Parse(string value, string source)
    {
        if (value.Trim() == "pending")
        {
            throw new ToolException($"The bastion has not published its host keys yet ({source} is 'pending'): it is still booting. Try again in a minute.");
        }

        var keys = new List<(string, byte[])>();
        foreach (var line in value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
            {
                throw new ToolException($"{source} has a line that is not '<type> <base64>': '{line}'.");
            }

            try
            {
                keys.Add((parts[0], Convert.FromBase64String(parts[1])));
            }
            catch (FormatException e)
            {
                throw new ToolException($"{source} has a key that is not base64: '{line}'.", e);
            }
        }

        if (keys.Count == 0)
        {
            throw new ToolException($"{source} holds no host key.");
        }

        return new BastionHostKeys(keys);
    }

    /// <summary>The OpenSSH SHA256 fingerprint of a public key blob: <c>SHA256:</c> + unpadded base64 (as <c>ssh-keygen -l</c>).</summary>
    public static string Fingerprint(byte[] blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    /// <summary>True when <paramref name="presented"/> is one of the published keys.</summary>
    public bool Contains(byte[] presented) => keys.Any(k => k.Blob.AsSpan().SequenceEqual(presented));

    /// <summary>The refusal shown when the bastion presents a key that was not published.</summary>
    public string MismatchMessage(string host, string presentedType, byte[] presented) =>
        $"REFUSED: the host key of {host} is not one the stack published, so this may not be your bastion (or it was replaced and has not published its new keys yet).\n" +
        $"  presented: {presentedType} {Fingerprint(presented)}\n" +
        string.Concat(Fingerprints.Select(k => $"  published: {k.Type} {k.Fingerprint}\n")) +
        "Nothing was sent. If the bastion was just replaced, wait a minute and retry; otherwise tell the environment's owner.";
}
