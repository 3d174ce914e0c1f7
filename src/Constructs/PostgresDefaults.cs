using Amazon.CDK.AWS.RDS;

namespace RdsStack.Library;

/// <summary>
/// The secure defaults of <see cref="PostgresDatabase"/>, decided in one place. CDK 2.160's own
/// defaults (unencrypted storage, db.m5.large with 100 GiB gp2, user <c>postgres</c>, IAM auth off)
/// are all overridden here or in the construct.
/// </summary>
public static class PostgresDefaults
{
    /// <summary>
    /// The PostgreSQL major version: the newest RDS supports in general availability (18; 19 is only in the
    /// RDS Database Preview Environment as of November 2026). Only the major is
    /// given, so RDS creates new instances on its current default minor (a pinned minor is eventually
    /// deprecated and then new sandboxes fail to create) and automatic minor upgrades move it forward
    /// without the template ever asking for a downgrade.
    /// </summary>
    public const string EngineMajorVersion = "18";

    /// <summary>The PostgreSQL majors the construct accepts: those in RDS standard support.</summary>
    public static readonly IReadOnlyList<string> SupportedMajorVersions = new[] { "14", "15", "16", "17", "18" };

    /// <summary>The PostgreSQL port.</summary>
    public const int Port = 5432;

    /// <summary>The master user: not <c>postgres</c>, the name every scanner tries first.</summary>
    public const string MasterUsername = "dbadmin";

    /// <summary>The database created with the instance.</summary>
    public const string DatabaseName = "app";

    /// <summary>RDS-managed rotation period of the master credentials, in days.</summary>
    public const int CredentialRotationDays = 30;

    /// <summary>Statements slower than this are logged (milliseconds).</summary>
    public const int SlowStatementThresholdMs = 1000;

    /// <summary>Enhanced monitoring granularity in seconds.</summary>
    public const int MonitoringIntervalSeconds = 60;

    /// <summary>
    /// RDS Extended Support is off: when the major version leaves standard support RDS upgrades it
    /// instead of silently starting to bill Extended Support.
    /// </summary>
    public const string EngineLifecycleSupport = "open-source-rds-extended-support-disabled";

    /// <summary>The log types exported to CloudWatch Logs.</summary>
    public static readonly IReadOnlyList<string> LogExports = new[] { "postgresql", "upgrade" };

    /// <summary>gp3 storage limits of RDS for PostgreSQL, in GiB.</summary>
    public const int MinimumStorageGiB = 20;

    /// <summary>The largest gp3 volume RDS for PostgreSQL supports, in GiB (64 TiB).</summary>
    public const int MaximumStorageGiB = 65536;

    /// <summary>The server CA: RSA 2048, valid to 2061, supported by every PostgreSQL client.</summary>
    public static CaCertificate CaCertificate => CaCertificate.RDS_CA_RSA2048_G1;

    /// <summary>
    /// Parameter-group values: TLS only (TLS 1.2 or newer), connection and disconnection logging, DDL
    /// logging and the slow-statement threshold. PostgreSQL 18 made <c>log_connections</c> a list; it still
    /// accepts <c>1</c>, which every major from 14 to 18 reads the same way.
    /// </summary>
    public static IDictionary<string, string> Parameters(int slowStatementThresholdMs) => new Dictionary<string, string>
    {
        ["rds.force_ssl"] = "1",
        ["ssl_min_protocol_version"] = "TLSv1.2",
        ["log_connections"] = "1",
        ["log_disconnections"] = "1",
        ["log_statement"] = "ddl",
        ["log_min_duration_statement"] = slowStatementThresholdMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
