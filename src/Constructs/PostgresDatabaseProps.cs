using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;

namespace RdsStack.Library;

/// <summary>
/// Properties of <see cref="PostgresDatabase"/>. Everything that has a default has a secure one
/// (see <see cref="PostgresDefaults"/>); every value is checked at synth time.
/// </summary>
public sealed class PostgresDatabaseProps
{
    /// <summary>The VPC to place the database in.</summary>
    public required IVpc Vpc { get; init; }

    /// <summary>The subnets of the DB subnet group. Default: the VPC's isolated subnets.</summary>
    public SubnetSelection VpcSubnets { get; init; } = new() { SubnetType = SubnetType.PRIVATE_ISOLATED };

    /// <summary>The customer-managed key for storage, Performance Insights, the credentials secret and log groups.</summary>
    public required IKey EncryptionKey { get; init; }

    /// <summary>
    /// The DB instance identifier (lowercase letters, digits, single hyphens; starts with a letter; at most
    /// 63). Fixed so the exported log groups can be created, encrypted, before the instance; a fixed name
    /// also makes CloudFormation refuse any change that would replace the instance instead of doing it.
    /// </summary>
    public required string InstanceIdentifier { get; init; }

    /// <summary>The DB instance class. Default <c>db.t4g.small</c>, the smallest RDS offers for PostgreSQL 18.</summary>
    public string InstanceClass { get; init; } = "db.t4g.small";

    /// <summary>The PostgreSQL major version. Default <see cref="PostgresDefaults.EngineMajorVersion"/>.</summary>
    public string EngineMajorVersion { get; init; } = PostgresDefaults.EngineMajorVersion;

    /// <summary>The database created with the instance. Default <c>app</c>.</summary>
    public string DatabaseName { get; init; } = PostgresDefaults.DatabaseName;

    /// <summary>The master user name. Default <c>dbadmin</c>; <c>postgres</c> and <c>rdsadmin</c> are refused.</summary>
    public string MasterUsername { get; init; } = PostgresDefaults.MasterUsername;

    /// <summary>Allocated gp3 storage in GiB (20 to 65536). Default 20.</summary>
    public int AllocatedStorageGiB { get; init; } = 20;

    /// <summary>Storage autoscaling ceiling in GiB: at least 10% above the allocated storage, at most 65536. Default 100.</summary>
    public int MaxAllocatedStorageGiB { get; init; } = 100;

    /// <summary>Multi-AZ with a synchronous standby. Default false.</summary>
    public bool MultiAz { get; init; }

    /// <summary>Days of automated backups (0 to 35). Default 7.</summary>
    public int BackupRetentionDays { get; init; } = 7;

    /// <summary>Deletion protection. Default true.</summary>
    public bool DeletionProtection { get; init; } = true;

    /// <summary>
    /// What happens to the instance when it leaves the stack or is replaced: <see cref="RemovalPolicy.SNAPSHOT"/>,
    /// <see cref="RemovalPolicy.RETAIN"/> or <see cref="RemovalPolicy.DESTROY"/>. Default
    /// <see cref="RemovalPolicy.SNAPSHOT"/>: a final snapshot is kept.
    /// </summary>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.SNAPSHOT;

    /// <summary>Days between automatic rotations of the master credentials (1 to 365). Default 30.</summary>
    public int CredentialRotationDays { get; init; } = PostgresDefaults.CredentialRotationDays;

    /// <summary>Retention of the exported <c>postgresql</c> and <c>upgrade</c> logs. Default one year.</summary>
    public RetentionDays LogRetention { get; init; } = RetentionDays.ONE_YEAR;

    /// <summary>What happens to the exported log groups when they leave the stack. Default retain.</summary>
    public RemovalPolicy LogRemovalPolicy { get; init; } = RemovalPolicy.RETAIN;

    /// <summary>
    /// Log statements slower than this many milliseconds (0 to 3600000) — with their full text, which can carry
    /// personal data, so this is an opt-in. Default null: no slow-statement logging (<c>log_min_duration_statement = -1</c>).
    /// </summary>
    public int? SlowStatementThresholdMs { get; init; }

    /// <summary>
    /// Performance Insights with the free 7-day retention, encrypted with the environment key. Default true: every
    /// RDS for PostgreSQL class supports it. (AWS moved the Performance Insights console to CloudWatch Database
    /// Insights on 31 July 2026; the API and CloudFormation properties are unchanged.)
    /// </summary>
    public bool PerformanceInsights { get; init; } = true;
}
