using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.Backup;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// Backups of the database governed apart from the database: an AWS Backup vault encrypted with its own KMS key
/// (administration and use split like <see cref="EnvironmentKey"/>, usable only through AWS Backup), a vault lock that
/// stops anyone deleting a recovery point before its minimum retention, a daily plan and, optionally, a copy of every
/// recovery point into a vault in another account or region — outside this account's blast radius.
/// </summary>
/// <remarks>
/// AWS Backup does not fully manage RDS: a recovery point of an RDS instance in this vault is an RDS snapshot still
/// encrypted with the database's key (see "Encryption for backups in AWS Backup"); the vault key protects the vault.
/// The copy in the destination vault is what a compromised or closed source account cannot reach.
/// </remarks>
public sealed class DatabaseBackupPlan : Construct
{
    /// <summary>The AWS-managed policy AWS Backup documents for its backup role.</summary>
    public const string BackupManagedPolicy = "service-role/AWSBackupServiceRolePolicyForBackup";

    /// <summary>
    /// The vault key's description: what it really encrypts. AWS Backup encrypts the vault and the recovery points of
    /// resource types it fully manages with the vault key; a recovery point of an RDS instance is an RDS snapshot that
    /// keeps the database's own key (AWS Backup developer guide, "Encryption for backups in AWS Backup").
    /// </summary>
    public static string VaultKeyDescription(string alias) =>
        $"RdsStack {alias}: encrypts the AWS Backup vault and the recovery points of resource types AWS Backup fully manages; RDS snapshots in the vault stay encrypted with the database's own key.";

    /// <summary>Creates the vault, its key and lock, the plan and its selection.</summary>
    public DatabaseBackupPlan(Construct scope, string id, DatabaseBackupPlanProps props)
        : base(scope, id)
    {
        Validate(props);
        Key = CreateVaultKey(props);
        Vault = CreateLockedVault(props);
        Role = CreateBackupRole();
        Plan = CreatePlan(props);
        Plan.AddSelection("Database", new BackupSelectionOptions
        {
            Resources = new[] { BackupResource.FromRdsDatabaseInstance(props.Database.Instance) },
            Role = Role,
            AllowRestores = false,
        });
        Props = props;
        // The database is in a backup plan now: the "not in a backup plan" acknowledgement would be untrue.
        NagAcknowledgement.Remove(props.Database.Instance, "NIST.800.53.R5-RDSInBackupPlan", "HIPAA.Security-RDSInBackupPlan");
        AcknowledgeRules();
    }

    /// <summary>The vault's own key.</summary>
    public EnvironmentKey Key { get; }

    /// <summary>The locked vault.</summary>
    public BackupVault Vault { get; }

    /// <summary>The role AWS Backup assumes to take the snapshots.</summary>
    public Role Role { get; }

    /// <summary>The plan.</summary>
    public BackupPlan Plan { get; }

    /// <summary>The settings the plan was built from.</summary>
    public DatabaseBackupPlanProps Props { get; }

    private EnvironmentKey CreateVaultKey(DatabaseBackupPlanProps props) => new(this, "VaultKey", new EnvironmentKeyProps
    {
        Alias = props.KeyAlias,
        Description = VaultKeyDescription(props.KeyAlias),
        RemovalPolicy = RemovalPolicy.RETAIN,
        AdministratorRoleArn = props.KeyAdministratorRoleArn,
        ViaServices = new[] { "backup" },
    });

    private BackupVault CreateLockedVault(DatabaseBackupPlanProps props) => new(this, "Vault", new BackupVaultProps
    {
        EncryptionKey = Key.Key,
        RemovalPolicy = RemovalPolicy.RETAIN,
        LockConfiguration = new LockConfiguration
        {
            MinRetention = Duration.Days(props.LockMinRetentionDays),
            ChangeableFor = props.LockMode == VaultLockMode.Compliance ? Duration.Days(props.LockChangeableForDays) : null,
        },
    });

    // Roles cannot be passed across accounts (iam:PassRole), and AWS Backup documents aws:SourceArn/aws:SourceAccount
    // for its SNS and KMS resource policies, not for assuming its role: the IfExists operators bind the role to this
    // account whenever the service sends the keys, and cannot break backups if it does not.
    private Role CreateBackupRole()
    {
        var stack = Stack.Of(this);
        var role = new Role(this, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("backup.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                ["StringEqualsIfExists"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                ["ArnLikeIfExists"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:backup:{stack.Region}:{stack.Account}:*" },
            }),
            Description = "AWS Backup: snapshots of this stack's database into its locked vault",
            ManagedPolicies = new[] { ManagedPolicy.FromAwsManagedPolicyName(BackupManagedPolicy) },
        });
        return role;
    }

    private BackupPlan CreatePlan(DatabaseBackupPlanProps props)
    {
        var copyActions = props.CopyToVaultArn is { } target
            ? new IBackupPlanCopyActionProps[]
            {
                new BackupPlanCopyActionProps
                {
                    DestinationBackupVault = BackupVault.FromBackupVaultArn(this, "CopyTarget", target),
                    DeleteAfter = Duration.Days(props.CopyRetentionDays ?? props.RetentionDays),
                },
            }
            : null;
        return new BackupPlan(this, "Plan", new BackupPlanProps
        {
            BackupVault = Vault,
            BackupPlanRules = new[]
            {
                new BackupPlanRule(new BackupPlanRuleProps
                {
                    RuleName = "Daily",
                    ScheduleExpression = Amazon.CDK.AWS.Events.Schedule.Expression(props.ScheduleExpression),
                    StartWindow = Duration.Hours(1),
                    CompletionWindow = Duration.Hours(8),
                    DeleteAfter = Duration.Days(props.RetentionDays),
                    CopyActions = copyActions,
                }),
            },
        });
    }

    private void AcknowledgeRules() => NagAcknowledgement.Add(
        Role,
        "AWS Backup's documented service-role policy AWSBackupServiceRolePolicyForBackup (snapshot, tag and describe actions AWS Backup needs across resource types, maintained by AWS). The role is assumable only by the backup.amazonaws.com service principal, with aws:SourceAccount/aws:SourceArn conditions in their IfExists form (AWS Backup documents those keys for its SNS and KMS policies, not for assuming its role), and is used only by this plan's selection of this one database.",
        "AwsSolutions-IAM4");

    private static void Validate(DatabaseBackupPlanProps props)
    {
        string Days(int value) => value.ToString(CultureInfo.InvariantCulture);
        if (props.RetentionDays < 1 || props.RetentionDays > 36500)
        {
            throw new InvalidSettingException("backupPlan.retentionDays", Days(props.RetentionDays), "1 to 36500 days");
        }

        if (props.LockMinRetentionDays < 1 || props.LockMinRetentionDays > props.RetentionDays)
        {
            throw new InvalidSettingException("backupPlan.lockMinRetentionDays", Days(props.LockMinRetentionDays), $"1 to retentionDays ({props.RetentionDays}): the vault lock refuses recovery points kept shorter than its minimum");
        }

        if (props.LockMode == VaultLockMode.Compliance && (props.LockChangeableForDays < 3 || props.LockChangeableForDays > 36500))
        {
            throw new InvalidSettingException("backupPlan.lockChangeableForDays", Days(props.LockChangeableForDays), "3 to 36500 days (AWS Backup's minimum grace period before a compliance-mode lock becomes immutable is 72 hours)");
        }

        if (props.CopyToVaultArn is { } target && !Arns.IsBackupVaultArn(target))
        {
            throw new InvalidSettingException("backupPlan.copyToVaultArn", target, "an AWS Backup vault ARN such as arn:aws:backup:eu-central-1:444455556666:backup-vault:rdsstack-prod-copy");
        }

        if (props.CopyRetentionDays is { } copyDays && (copyDays < 1 || copyDays > 36500))
        {
            throw new InvalidSettingException("backupPlan.copyRetentionDays", Days(copyDays), "1 to 36500 days");
        }

        if (!props.ScheduleExpression.StartsWith("cron(", StringComparison.Ordinal) || !props.ScheduleExpression.EndsWith(')'))
        {
            throw new InvalidSettingException("backupPlan.scheduleExpression", props.ScheduleExpression, "an AWS Backup cron expression in UTC such as cron(0 5 * * ? *)");
        }
    }
}
