using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace RdsStack.Library;

/// <summary>
/// One named person who may tunnel through a <see cref="BastionHost"/>: their Linux login on the bastion (also their
/// IAM-authenticated database user) and their own OpenSSH ED25519 public key. Granting or revoking a person is adding
/// or removing one of these.
/// </summary>
public sealed partial record BastionOperator
{
    /// <summary>
    /// Logins the bastion already has or that name system roles; an operator may not take them (useradd would fail at
    /// boot, or the person would become a database role RDS or PostgreSQL reserve).
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "operator", "games", "ftp", "nobody",
        "sshd", "chrony", "dbus", "tss", "rpc", "rpcuser", "libstoragemgmt", "ec2_instance_connect", "postgres", "admin",
        "dbadmin", "app_user", "rdsadmin", "public",
    };

    private BastionOperator(string name, string publicKey)
    {
        Name = name;
        PublicKey = publicKey;
    }

    /// <summary>The login (and database user), e.g. <c>amara</c>.</summary>
    public string Name { get; }

    /// <summary>The OpenSSH public key, <c>ssh-ed25519 AAAA… [comment]</c>.</summary>
    public string PublicKey { get; }

    /// <summary>The key without its comment: <c>ssh-ed25519 AAAA…</c>.</summary>
    public string KeyWithoutComment => string.Join(' ', PublicKey.Split(' ').Take(2));

    /// <summary>
    /// The key's SHA256 fingerprint as <c>ssh-keygen -lf</c> prints it (<c>SHA256:</c> and the unpadded base64 of the
    /// SHA-256 of the key blob), so a reviewer can match it against the person's own <c>ssh-keygen -lf ~/.ssh/id_ed25519.pub</c>.
    /// </summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(PublicKey.Split(' ')[1]))).TrimEnd('=');

    /// <summary>
    /// Validates and creates an operator. <paramref name="setting"/> names where the values came from (for example
    /// <c>config/access.json: $.prod.operators[0]</c>) in the <see cref="InvalidSettingException"/>.
    /// </summary>
    public static BastionOperator Create(string setting, string? name, string? publicKey)
    {
        if (name is null || !NamePattern().IsMatch(name) || ReservedNames.Contains(name) || name.StartsWith("pg_", StringComparison.Ordinal) || name.StartsWith("rds", StringComparison.Ordinal))
        {
            throw new InvalidSettingException($"{setting}.name", name, "1 to 32 lowercase letters, digits and '_', starting with a letter (the Linux login and the IAM database user), not a system login (root, ec2-user, ...) and not starting with pg_ or rds");
        }

        BastionHost.RequireValidPublicKey($"{setting}.publicKey", publicKey);
        return new BastionOperator(name, publicKey!.Trim());
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}\\z")]
    private static partial Regex NamePattern();
}
