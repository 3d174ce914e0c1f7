namespace RdsStack.Library;

/// <summary>How an AWS Backup vault lock guards recovery points.</summary>
public enum VaultLockMode
{
    /// <summary>
    /// Governance mode: recovery points cannot be deleted before the minimum retention, but principals allowed
    /// <c>backup:DeleteBackupVaultLockConfiguration</c> can remove the lock itself.
    /// </summary>
    Governance,

    /// <summary>
    /// Compliance mode: after the grace period (<see cref="DatabaseBackupPlanProps.LockChangeableForDays"/>) nobody —
    /// not the account root, not AWS — can remove the lock, shorten retention or delete a recovery point early.
    /// </summary>
    Compliance,
}

/// <summary>Properties of <see cref="DatabaseBackupPlan"/>.</summary>
public sealed class DatabaseBackupPlanProps
{
    /// <summary>The database to back up.</summary>
    public required PostgresDatabase Database { get; init; }

    /// <summary>The alias of the vault's own KMS key, without <c>alias/</c> (e.g. <c>rdsstack-prod-backup</c>).</summary>
    public required string KeyAlias { get; init; }

    /// <summary>Days each daily recovery point is kept (1 to 36500). Default 35.</summary>
    public int RetentionDays { get; init; } = 35;

    /// <summary>
    /// The schedule, as an AWS Backup cron expression in UTC. Default <c>cron(0 5 * * ? *)</c>: daily at 05:00, after
    /// the database's 02:00–03:00 backup window and Sunday 03:30–04:30 maintenance window.
    /// </summary>
    public string ScheduleExpression { get; init; } = "cron(0 5 * * ? *)";

    /// <summary>The vault lock mode. Default <see cref="VaultLockMode.Compliance"/>.</summary>
    public VaultLockMode LockMode { get; init; } = VaultLockMode.Compliance;

    /// <summary>
    /// The shortest retention the vault lock accepts, in days (1 to <see cref="RetentionDays"/>): nothing can delete a
    /// recovery point younger than this. Default 7.
    /// </summary>
    public int LockMinRetentionDays { get; init; } = 7;

    /// <summary>
    /// Compliance mode only: days before the lock becomes immutable (AWS Backup requires at least 3). Default 3.
    /// </summary>
    public int LockChangeableForDays { get; init; } = 3;

    /// <summary>
    /// A vault in another account and/or region that receives a copy of every recovery point (for example
    /// <c>arn:aws:backup:eu-central-1:444455556666:backup-vault:rdsstack-prod-copy</c>). Default none. The destination
    /// vault's access policy must allow <c>backup:CopyIntoBackupVault</c> from this account.
    /// </summary>
    public string? CopyToVaultArn { get; init; }

    /// <summary>Days the copy is kept in the destination vault. Default: <see cref="RetentionDays"/>.</summary>
    public int? CopyRetentionDays { get; init; }

    /// <summary>The administrator role of the vault key (see <see cref="EnvironmentKeyProps.AdministratorRoleArn"/>). Default none.</summary>
    public string? KeyAdministratorRoleArn { get; init; }
}
