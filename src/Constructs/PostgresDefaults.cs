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
    /// <c>log_connections</c>: <c>1</c>. PostgreSQL 18 turned the parameter into a list (<c>receipt</c>,
    /// <c>authentication</c>, <c>authorization</c>, <c>setup_durations</c>, <c>all</c>); upstream commit 9219093 keeps
    /// the boolean spellings (<c>on</c>, <c>1</c>, <c>true</c>, ...) for backwards compatibility and reads <c>1</c> as
    /// the classic receipt + authentication + authorization logging. <c>1</c> is the only value every major from 14 to
    /// 18 accepts; whether RDS's <c>postgres18</c> parameter metadata still lists it is a deploy-time question.
    /// </summary>
    public const string LogConnections = "1";

    /// <summary>The libraries loaded at start: RDS's default <c>pg_stat_statements</c> plus <c>pgaudit</c>.</summary>
    public const string SharedPreloadLibraries = "pg_stat_statements,pgaudit";

    /// <summary>
    /// The pgaudit classes logged: <c>role</c> (CREATE/ALTER/DROP ROLE, GRANT, REVOKE — with passwords written as
    /// <c>&lt;REDACTED&gt;</c>) and <c>ddl</c> (schema changes). Reads and writes of data are not logged.
    /// </summary>
    public const string AuditClasses = "role,ddl";

    /// <summary>
    /// Parameter-group values. TLS only (TLS 1.2 or newer); SCRAM only (<c>password_encryption</c> and RDS's
    /// <c>rds.accepted_password_auth_method</c>); connection and disconnection logging; statement logging through
    /// pgaudit (<see cref="AuditClasses"/>) instead of <c>log_statement</c>, which writes <c>CREATE ROLE … PASSWORD '…'</c>
    /// in clear text; no statement text of failing statements (<c>log_min_error_statement = panic</c>: a refused
    /// <c>CREATE ROLE … PASSWORD</c> would otherwise be logged whole); no bind parameters in audit lines; and no
    /// slow-statement text unless <paramref name="slowStatementThresholdMs"/> opts in, because full statement text can
    /// carry personal data. pgaudit still needs <c>CREATE EXTENSION pgaudit</c> in the database (see the README).
    /// </summary>
    /// <param name="slowStatementThresholdMs">Log statements slower than this (with their full text), or null for never.</param>
    public static IDictionary<string, string> Parameters(int? slowStatementThresholdMs) => new Dictionary<string, string>
    {
        ["rds.force_ssl"] = "1",
        ["ssl_min_protocol_version"] = "TLSv1.2",
        ["password_encryption"] = "scram-sha-256",
        ["rds.accepted_password_auth_method"] = "scram",
        ["log_connections"] = LogConnections,
        ["log_disconnections"] = "1",
        ["shared_preload_libraries"] = SharedPreloadLibraries,
        // pg_stat_statements (preloaded by RDS, read by Performance Insights) would keep utility statements verbatim:
        // CREATE/ALTER ROLE ... PASSWORD '...' in clear text. Tracking only planned statements keeps passwords out.
        ["pg_stat_statements.track_utility"] = "0",
        ["pgaudit.log"] = AuditClasses,
        ["pgaudit.log_parameter"] = "0",
        ["log_statement"] = "none",
        ["log_min_error_statement"] = "panic",
        ["log_min_duration_statement"] = (slowStatementThresholdMs ?? -1).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
