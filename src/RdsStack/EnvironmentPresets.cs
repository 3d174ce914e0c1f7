using Amazon.CDK;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// The presets of every environment — the only place environments differ. Edit here to resize an
/// environment; <see cref="EnvironmentSettings.Validate"/> keeps production's guard rails.
/// </summary>
public static class EnvironmentPresets
{
    /// <summary>
    /// Shared development: small, single-AZ, snapshot on delete. No NAT gateway: nothing in this stack needs one
    /// (the database is isolated, the bastion has its own address, the master secret rotates inside RDS), and one
    /// costs about $39 a month with its public address — an application in dev that needs internet egress sets <c>NatGateways = 1</c>. Bastion
    /// without detailed monitoring (nobody reads its graphs; the status-check alarm needs none).
    /// </summary>
    public static EnvironmentSettings Dev { get; } = new()
    {
        Name = "dev",
        AvailabilityZoneCount = 2,
        VpcCidr = "10.10.0.0/16",
        NatGateways = 0,
        LogRetentionDays = 30,
        DatabaseInstanceClass = "db.t4g.small",
        AllocatedStorageGiB = 20,
        MaxAllocatedStorageGiB = 100,
        MultiAz = false,
        BackupRetentionDays = 3,
        DeletionProtection = false,
        DatabaseRemovalPolicy = RemovalPolicy.SNAPSHOT,
        BastionEnabled = true,
        BastionDetailedMonitoring = false,
    };

    /// <summary>Staging: prod's topology (three AZs) at a smaller size, protected against deletion.</summary>
    public static EnvironmentSettings Staging { get; } = new()
    {
        Name = "staging",
        AvailabilityZoneCount = 3,
        VpcCidr = "10.20.0.0/16",
        NatGateways = 1,
        LogRetentionDays = 90,
        DatabaseInstanceClass = "db.t4g.medium",
        AllocatedStorageGiB = 50,
        MaxAllocatedStorageGiB = 200,
        MultiAz = false,
        BackupRetentionDays = 7,
        DeletionProtection = true,
        DatabaseRemovalPolicy = RemovalPolicy.SNAPSHOT,
        BastionEnabled = true,
    };

    /// <summary>
    /// Production: Multi-AZ across three zones, a NAT gateway per zone, 14 days of point-in-time recovery, plus 35 days
    /// of daily AWS Backup recovery points in a compliance-locked vault (minimum retention 7 days), everything protected.
    /// </summary>
    public static EnvironmentSettings Prod { get; } = new()
    {
        Name = "prod",
        Production = true,
        AvailabilityZoneCount = 3,
        VpcCidr = "10.30.0.0/16",
        NatGateways = 3,
        TerminationProtection = true,
        LogRetentionDays = 365,
        DatabaseInstanceClass = "db.m7g.large",
        AllocatedStorageGiB = 100,
        MaxAllocatedStorageGiB = 1000,
        MultiAz = true,
        BackupRetentionDays = 14,
        DeletionProtection = true,
        DatabaseRemovalPolicy = RemovalPolicy.SNAPSHOT,
        BastionEnabled = true,
        BastionInstanceType = "t4g.micro",
        BackupPlan = new BackupPlanSettings
        {
            RetentionDays = 35,
            LockMode = VaultLockMode.Compliance,
            LockMinRetentionDays = 7,
            LockChangeableForDays = 3,
        },
    };

    /// <summary>
    /// One developer's sandbox: the cheapest class RDS offers for PostgreSQL 18 (db.t4g.micro is not orderable
    /// with it), single AZ, no NAT, one day of backups, destroyed with its stack. It stops outside working hours
    /// (database and bastion), has no alarms (nobody is paged about a disposable environment), tells the topic only
    /// about failures, low storage, maintenance and configuration changes (not its nightly stops and starts), and its bastion has no detailed monitoring.
    /// </summary>
    public static EnvironmentSettings Sandbox { get; } = new()
    {
        Name = "sandbox",
        AvailabilityZoneCount = 2,
        VpcCidr = "10.99.0.0/16",
        NatGateways = 0,
        LogRetentionDays = 7,
        DatabaseInstanceClass = "db.t4g.small",
        AllocatedStorageGiB = 20,
        MaxAllocatedStorageGiB = 50,
        MultiAz = false,
        BackupRetentionDays = 1,
        DeletionProtection = false,
        DatabaseRemovalPolicy = RemovalPolicy.DESTROY,
        BastionEnabled = true,
        SinglePersonAccess = true,
        BastionDetailedMonitoring = false,
        AlarmsEnabled = false,
        DatabaseEventCategories = new[] { "failure", "low storage", "maintenance", "configuration change" },
        StopOutsideWorkingHours = true,
    };

    /// <summary>The shared environments, in deployment order.</summary>
    public static IReadOnlyList<EnvironmentSettings> Shared { get; } = new[] { Dev, Staging, Prod };

    /// <summary>Every preset: the shared environments and the sandbox.</summary>
    public static IReadOnlyList<EnvironmentSettings> All { get; } = new[] { Dev, Staging, Prod, Sandbox };
}
