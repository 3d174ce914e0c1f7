using System.Security.Cryptography.X509Certificates;

namespace RdsStack.Tool;

/// <summary>
/// The RDS certificate authorities the server certificate is verified against (<c>verify-full</c>). The tool ships
/// the RDS global bundle as an embedded resource (provenance and SHA-256 in the tool's README) and trusts only the
/// root CAs of the database's region ("Amazon RDS &lt;region&gt; Root CA RSA2048/RSA4096/ECC384 G1"), which is what the
/// region's own bundle contains. <c>--ca-bundle</c> replaces it (tests and air-gapped setups with their own CA).
/// </summary>
public sealed class RdsCaBundle
{
    private RdsCaBundle(X509Certificate2Collection certificates, string description)
    {
        Certificates = certificates;
        Description = description;
    }

    /// <summary>The trusted roots.</summary>
    public X509Certificate2Collection Certificates { get; }

    /// <summary>Where the roots came from, for messages.</summary>
    public string Description { get; }

    /// <summary>The bundle shipped in the tool, unfiltered.</summary>
    public static X509Certificate2Collection ShippedGlobalBundle()
    {
        using var stream = typeof(RdsCaBundle).Assembly.GetManifestResourceStream("RdsStack.Tool.rds-global-bundle.pem")
            ?? throw new ToolException("The RDS CA bundle is missing from this build of the tool.");
        using var reader = new StreamReader(stream);
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(reader.ReadToEnd());
        return certificates;
    }

    /// <summary>The shipped roots for <paramref name="region"/>, or the certificates of <paramref name="overrideFile"/>.</summary>
    public static RdsCaBundle For(string region, string? overrideFile)
    {
        if (overrideFile is not null)
        {
            if (!File.Exists(overrideFile))
            {
                throw new ToolException($"--ca-bundle {overrideFile}: no such file.");
            }

            var custom = new X509Certificate2Collection();
            custom.ImportFromPemFile(overrideFile);
            if (custom.Count == 0)
            {
                throw new ToolException($"--ca-bundle {overrideFile} holds no PEM certificate.");
            }

            return new RdsCaBundle(custom, overrideFile);
        }

        var prefix = $"Amazon RDS {region} Root CA ";
        var regional = new X509Certificate2Collection();
        foreach (var certificate in ShippedGlobalBundle())
        {
            if (certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false).StartsWith(prefix, StringComparison.Ordinal))
            {
                regional.Add(certificate);
            }
        }

        if (regional.Count == 0)
        {
            throw new ToolException($"The tool ships no RDS root CA for region '{region}'. Update the tool, or pass --ca-bundle <the region's bundle from truststore.pki.rds.amazonaws.com>.");
        }

        return new RdsCaBundle(regional, $"the shipped RDS root CAs of {region}");
    }

    /// <summary>Writes the roots as PEM to a new file readable only by the caller (for psql's PGSSLROOTCERT).</summary>
    public string WriteTemporaryPem(string directory)
    {
        var path = Path.Combine(directory, "rds-ca.pem");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            foreach (var certificate in Certificates)
            {
                writer.WriteLine(certificate.ExportCertificatePem());
            }
        }

        return path;
    }

    /// <summary>
    /// libpq's <c>verify-full</c>: the chain ends at one of these roots (and only these, not the system store) and
    /// the certificate is issued for <paramref name="hostName"/>.
    /// </summary>
    public bool Verify(X509Certificate? serverCertificate, X509Chain? presentedChain, string hostName, out string problem)
    {
        if (serverCertificate is null)
        {
            problem = "the server sent no certificate";
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(serverCertificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Certificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (!chain.Build(certificate))
        {
            problem = $"the server certificate ({certificate.Subject}) does not chain to {Description}: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}";
            return false;
        }

        if (!certificate.MatchesHostname(hostName))
        {
            problem = $"the server certificate is for '{certificate.GetNameInfo(X509NameType.DnsName, false)}', not '{hostName}'";
            return false;
        }

        problem = string.Empty;
        return true;
    }
}
