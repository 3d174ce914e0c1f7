using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.Logs;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// Everything that differs between environments, as data. The constructs never ask which environment
/// they are in; they read these values. The presets live in <see cref="EnvironmentPresets"/>.
/// </summary>
public sealed record EnvironmentSettings
{
    /// <summary>The environment's name: <c>dev</c>, <c>staging</c>, <c>prod</c> or <c>sandbox</c>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Production guard rails: when true, <see cref="Validate"/> insists on Multi-AZ, deletion protection,
    /// at least <see cref="ProductionMinimumBackupDays"/> days of backups, a database that is snapshotted or
    /// retained on removal, stack termination protection, alarms, every operator RDS event category and no nightly
    /// stop — so editing a preset cannot quietly weaken prod.
    /// </summary>
    public bool Production { get; init; }

    /// <summary>
    /// The AWS account, from <c>config/accounts.json</c> or <c>account.&lt;env&gt;</c>; null when neither names one (then
    /// the deploying credentials decide, and the environment is not isolated from the others).
    /// </summary>
    public string? Account { get; init; }

    /// <summary>The AWS region. Default <see cref="RegionZones.DefaultRegion"/>; <c>config/accounts.json</c> or <c>region.&lt;env&gt;</c> move it.</summary>
    public string Region { get; init; } = RegionZones.DefaultRegion;

    /// <summary>How many availability zones the environment spans.</summary>
    public required int AvailabilityZoneCount { get; init; }

    /// <summary>Zone names given in <c>config/accounts.json</c>, or null to take the region's first zones from <see cref="RegionZones"/>.</summary>
    public IReadOnlyList<string>? ZoneNames { get; init; }

    /// <summary>The availability zones, explicit so synthesis needs no lookup.</summary>
    public IReadOnlyList<string> AvailabilityZones => ZoneNames ?? RegionZones.Pick(Region, AvailabilityZoneCount, $"{Name}.region");

    /// <summary>
    /// An existing application security group admitted to the database instead of a new one. Default null (one is
    /// created). Placed from the committed accounts file (shared environments) or the sandbox's command line.
    /// </summary>
    public string? ExistingAppSecurityGroupId { get; init; }

    /// <summary>
    /// The IAM role that alone (with the deployment role) may delete the environment key or change its policy, from
    /// <c>config/accounts.json</c> (<c>keyAdminRoleArn</c>). Null: any administrator of the account may.
    /// </summary>
    public string? KeyAdministratorRoleArn { get; init; }

    /// <summary>The AWS Backup plan of the database, or null for none (RDS automated backups only).</summary>
    public BackupPlanSettings? BackupPlan { get; init; }

    /// <summary>
    /// Log statements slower than this many milliseconds with their full text (which can carry personal data). Default
    /// null: no slow-statement text in the logs.
    /// </summary>
    public int? SlowStatementThresholdMs { get; init; }

    /// <summary>The VPC range.</summary>
    public required string VpcCidr { get; init; }

    /// <summary>NAT gateways (0 = no internet route from the app tier).</summary>
    public required int NatGateways { get; init; }

    /// <summary>CloudFormation termination protection of the stack.</summary>
    public bool TerminationProtection { get; init; }

    /// <summary>Retention of flow logs and database logs, in days (a value CloudWatch Logs offers).</summary>
    public required int LogRetentionDays { get; init; }

    /// <summary>The DB instance class.</summary>
    public required string DatabaseInstanceClass { get; init; }

    /// <summary>Allocated gp3 storage in GiB.</summary>
    public required int AllocatedStorageGiB { get; init; }

    /// <summary>Storage autoscaling ceiling in GiB.</summary>
    public required int MaxAllocatedStorageGiB { get; init; }

    /// <summary>Multi-AZ database.</summary>
    public required bool MultiAz { get; init; }

    /// <summary>Days of automated backups.</summary>
    public required int BackupRetentionDays { get; init; }

    /// <summary>Database deletion protection.</summary>
    public required bool DeletionProtection { get; init; }

    /// <summary>
    /// What happens to the database on stack deletion or replacement. The environment key and log groups are
    /// retained whenever the database is not destroyed, because snapshots stay readable only while the key lives.
    /// </summary>
    public required RemovalPolicy DatabaseRemovalPolicy { get; init; }

    /// <summary>Days between automatic rotations of the master credentials.</summary>
    public int CredentialRotationDays { get; init; } = PostgresDefaults.CredentialRotationDays;

    /// <summary>Whether the environment has a bastion host.</summary>
    public required bool BastionEnabled { get; init; }

    /// <summary>
    /// Where the environment's access comes from. False (shared environments): only from the committed
    /// <c>config/access.json</c> — operator networks and named operators with their own keys, so a change to who can
    /// reach the database is a reviewed commit; command-line values never reach it. True (a one-person sandbox): from
    /// its owner's command line (<c>-c operatorCidrs=…</c>, <c>-c bastionPublicKey=…</c>), with an EC2 key pair for
    /// <c>ec2-user</c> as the zero-setup path.
    /// </summary>
    public bool SinglePersonAccess { get; init; }

    /// <summary>The bastion's EC2 instance type.</summary>
    public string BastionInstanceType { get; init; } = "t4g.nano";

    /// <summary>
    /// EC2 termination protection of the bastion. Off in every preset: each new Amazon Linux image replaces the
    /// bastion, and CloudFormation cannot remove a protected old instance (see <c>BastionHostProps</c>).
    /// </summary>
    public bool BastionTerminationProtection { get; init; }

    /// <summary>
    /// EC2 detailed (1-minute) monitoring of the bastion: $2.10 a month per instance (seven metrics at CloudWatch's
    /// custom-metric price) for graphs at 1-minute resolution. Status checks, which the status alarm reads, are
    /// published every minute free of charge either way. Default on; off where nobody reads bastion graphs (a Control Tower CT.EC2.PR.10/13 finding, acknowledged with the preset's reason).
    /// </summary>
    public bool BastionDetailedMonitoring { get; init; } = true;

    /// <summary>
    /// CloudWatch alarms on the database (<c>DatabaseAlarms</c>) and the bastion's status checks
    /// (<c>InstanceStatusAlarm</c>), notifying the operations topic. Default on; off where an alarm would only page
    /// people about a disposable environment.
    /// </summary>
    public bool AlarmsEnabled { get; init; } = true;

    /// <summary>
    /// The RDS event categories sent to the operations topic (see <c>DatabaseEventSubscription</c>); empty = no
    /// subscription. Default: every category operators act on.
    /// </summary>
    public IReadOnlyList<string> DatabaseEventCategories { get; init; } = DatabaseEventSubscription.OperatorCategories;

    /// <summary>
    /// Stop the database and the bastion outside the working hours of <c>config/operations.json</c>
    /// (<c>WorkingHoursSchedule</c>). Default off; on for sandboxes.
    /// </summary>
    public bool StopOutsideWorkingHours { get; init; }

    /// <summary>The IAM-authenticated database user of the example application role.</summary>
    public string AppDatabaseUser { get; init; } = "app_user";

    /// <summary>The smallest backup retention a production preset may have.</summary>
    public const int ProductionMinimumBackupDays = 7;

    /// <summary>
    /// Removal policy of the environment key: retained whenever the database is not destroyed, because snapshots
    /// stay readable only while their key lives.
    /// </summary>
    public RemovalPolicy KeyRemovalPolicy => DatabaseRemovalPolicy == RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    /// <summary>
    /// Removal policy of the log groups: retained for production (audit trail), deleted with the stack otherwise —
    /// the database log groups have fixed names, so retained ones would block re-creating the environment.
    /// </summary>
    public RemovalPolicy LogRemovalPolicy => Production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    /// <summary>The log retention as the CDK enum.</summary>
    public RetentionDays LogRetention => LogRetentionValues.TryGetValue(LogRetentionDays, out var value)
        ? value
        : throw new InvalidSettingException($"{Name}.logRetentionDays", LogRetentionDays.ToString(CultureInfo.InvariantCulture), "one of " + string.Join(", ", LogRetentionValues.Keys));

    /// <summary>
    /// Checks the preset's own consistency and the production guard rails. Construct-level limits (storage,
    /// backup range, rotation range, instance class) are checked by the constructs with the same kind of message.
    /// </summary>
    public void Validate()
    {
        _ = LogRetention;
        if (ZoneNames is { } zones && zones.Any(z => !z.StartsWith(Region, StringComparison.Ordinal) || z.Length != Region.Length + 1))
        {
            throw new InvalidSettingException($"{Name}.availabilityZones", string.Join(",", zones), $"zones of the environment's region {Region}, e.g. {Region}a");
        }

        if (!Production)
        {
            return;
        }

        void Require(bool ok, string field, object value, string allowed)
        {
            if (!ok)
            {
                throw new InvalidSettingException($"{Name}.{field}", Convert.ToString(value, CultureInfo.InvariantCulture), allowed + " (production preset)");
            }
        }

        Require(BackupRetentionDays >= ProductionMinimumBackupDays, "backupRetentionDays", BackupRetentionDays, $"{ProductionMinimumBackupDays} to 35 days");
        Require(DeletionProtection, "deletionProtection", DeletionProtection, "true");
        Require(MultiAz, "multiAz", MultiAz, "true");
        Require(DatabaseRemovalPolicy != RemovalPolicy.DESTROY, "databaseRemovalPolicy", DatabaseRemovalPolicy, "SNAPSHOT or RETAIN");
        Require(TerminationProtection, "terminationProtection", TerminationProtection, "true");
        Require(AvailabilityZones.Count >= 3, "availabilityZones", string.Join(",", AvailabilityZones), "at least three availability zones");
        Require(BackupPlan is not null, "backupPlan", "none", "an AWS Backup plan into a locked vault");
        Require(AlarmsEnabled, "alarmsEnabled", AlarmsEnabled, "true");
        Require(!StopOutsideWorkingHours, "stopOutsideWorkingHours", StopOutsideWorkingHours, "false");
        Require(DatabaseEventSubscription.OperatorCategories.All(DatabaseEventCategories.Contains), "databaseEventCategories", string.Join(",", DatabaseEventCategories), "every operator category: " + string.Join(", ", DatabaseEventSubscription.OperatorCategories));
    }

    private static readonly IReadOnlyDictionary<int, RetentionDays> LogRetentionValues = new Dictionary<int, RetentionDays>
    {
        [1] = RetentionDays.ONE_DAY,
        [3] = RetentionDays.THREE_DAYS,
        [5] = RetentionDays.FIVE_DAYS,
        [7] = RetentionDays.ONE_WEEK,
        [14] = RetentionDays.TWO_WEEKS,
        [30] = RetentionDays.ONE_MONTH,
        [60] = RetentionDays.TWO_MONTHS,
        [90] = RetentionDays.THREE_MONTHS,
        [180] = RetentionDays.SIX_MONTHS,
        [365] = RetentionDays.ONE_YEAR,
        [400] = RetentionDays.THIRTEEN_MONTHS,
        [545] = RetentionDays.EIGHTEEN_MONTHS,
        [731] = RetentionDays.TWO_YEARS,
        [1827] = RetentionDays.FIVE_YEARS,
        [3653] = RetentionDays.TEN_YEARS,
    };
}

/// <summary>The AWS Backup plan of an environment's database (see <c>DatabaseBackupPlanProps</c> for the defaults).</summary>
public sealed record BackupPlanSettings
{
    /// <summary>Days each daily recovery point is kept.</summary>
    public required int RetentionDays { get; init; }

    /// <summary>The vault lock mode.</summary>
    public required VaultLockMode LockMode { get; init; }

    /// <summary>The shortest retention the vault lock accepts, in days.</summary>
    public required int LockMinRetentionDays { get; init; }

    /// <summary>Compliance mode: days before the lock becomes immutable.</summary>
    public int LockChangeableForDays { get; init; } = 3;

    /// <summary>A vault in another account and/or region that receives a copy (from <c>config/accounts.json</c>), or null.</summary>
    public string? CopyToVaultArn { get; init; }

    /// <summary>Days the copy is kept; null = <see cref="RetentionDays"/>.</summary>
    public int? CopyRetentionDays { get; init; }
}
