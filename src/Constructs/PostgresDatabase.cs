using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// A private RDS for PostgreSQL instance the way a security reviewer signs off on it at first read:
/// isolated subnets, not publicly accessible, its own security group with no ingress until
/// <see cref="AllowFrom"/> adds one (group to group), storage / Performance Insights / logs / credentials
/// encrypted with the environment's customer-managed key, TLS only, IAM database authentication, and master
/// credentials that nobody ever sees in code or template: RDS generates them into Secrets Manager and
/// rotates them itself (managed rotation, no Lambda, no network path to maintain).
/// </summary>
public sealed partial class PostgresDatabase : Construct, IConnectable
{
    /// <summary>Creates the database.</summary>
    public PostgresDatabase(Construct scope, string id, PostgresDatabaseProps props)
        : base(scope, id)
    {
        Validate(props);
        var performanceInsights = props.PerformanceInsights;
        var engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps
        {
            Version = PostgresEngineVersion.Of(props.EngineMajorVersion, props.EngineMajorVersion),
        });

        SecurityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = props.Vpc,
            AllowAllOutbound = false,
            Description = $"PostgreSQL {props.InstanceIdentifier}: no ingress except from the security groups granted access",
        });

        var parameterGroup = new ParameterGroup(this, "Parameters", new ParameterGroupProps
        {
            Engine = engine,
            Description = $"PostgreSQL {props.InstanceIdentifier}: TLS and SCRAM only, connection logging, pgaudit role and DDL logging with passwords redacted",
            Parameters = PostgresDefaults.Parameters(props.SlowStatementThresholdMs),
        });

        // The exported log groups exist (encrypted, with retention) before RDS starts writing to them;
        // RDS would otherwise create them unencrypted and kept forever.
        var logGroups = PostgresDefaults.LogExports.Select(type => new LogGroup(this, $"Log-{type}", new LogGroupProps
        {
            LogGroupName = $"/aws/rds/instance/{props.InstanceIdentifier}/{type}",
            EncryptionKey = props.EncryptionKey,
            Retention = props.LogRetention,
            RemovalPolicy = props.LogRemovalPolicy,
        })).ToList();

        MonitoringRole = CreateMonitoringRole(props.InstanceIdentifier);
        Instance = new DatabaseInstance(this, "Instance", new DatabaseInstanceProps
        {
            Engine = engine,
            InstanceIdentifier = props.InstanceIdentifier,
            InstanceType = new Amazon.CDK.AWS.EC2.InstanceType(props.InstanceClass["db.".Length..]),
            Vpc = props.Vpc,
            VpcSubnets = props.VpcSubnets,
            SecurityGroups = new ISecurityGroup[] { SecurityGroup },
            PubliclyAccessible = false,
            Port = PostgresDefaults.Port,
            DatabaseName = props.DatabaseName,
            // Placeholder only: the property is deleted from the template below and RDS generates and
            // manages the password in Secrets Manager (ManageMasterUserPassword).
            Credentials = Credentials.FromPassword(props.MasterUsername, SecretValue.UnsafePlainText("removed-from-template-rds-manages-the-password")),
            StorageEncrypted = true,
            StorageEncryptionKey = props.EncryptionKey,
            StorageType = StorageType.GP3,
            AllocatedStorage = props.AllocatedStorageGiB,
            MaxAllocatedStorage = props.MaxAllocatedStorageGiB,
            MultiAz = props.MultiAz,
            BackupRetention = Duration.Days(props.BackupRetentionDays),
            DeleteAutomatedBackups = props.RemovalPolicy == RemovalPolicy.DESTROY,
            CopyTagsToSnapshot = true,
            DeletionProtection = props.DeletionProtection,
            RemovalPolicy = props.RemovalPolicy,
            IamAuthentication = true,
            CaCertificate = PostgresDefaults.CaCertificate,
            ParameterGroup = parameterGroup,
            AutoMinorVersionUpgrade = true,
            AllowMajorVersionUpgrade = false,
            CloudwatchLogsExports = PostgresDefaults.LogExports.ToArray(),
            MonitoringInterval = Duration.Seconds(PostgresDefaults.MonitoringIntervalSeconds),
            MonitoringRole = MonitoringRole,
            EnablePerformanceInsights = performanceInsights,
            PerformanceInsightEncryptionKey = performanceInsights ? props.EncryptionKey : null,
            PerformanceInsightRetention = performanceInsights ? PerformanceInsightRetention.DEFAULT : null,
            PreferredBackupWindow = "02:00-03:00",
            PreferredMaintenanceWindow = "sun:03:30-sun:04:30",
        });
        foreach (var logGroup in logGroups)
        {
            Instance.Node.AddDependency(logGroup);
        }

        var cfn = (CfnDBInstance)Instance.Node.DefaultChild!;
        cfn.AddPropertyDeletionOverride("MasterUserPassword");
        cfn.AddPropertyOverride("ManageMasterUserPassword", true);
        cfn.AddPropertyOverride("MasterUserSecret.KmsKeyId", props.EncryptionKey.KeyArn);
        cfn.EngineLifecycleSupport = PostgresDefaults.EngineLifecycleSupport;

        SecretArn = cfn.AttrMasterUserSecretSecretArn;
        MasterSecret = Secret.FromSecretAttributes(this, "MasterUserSecret", new SecretAttributes
        {
            SecretCompleteArn = SecretArn,
            EncryptionKey = props.EncryptionKey,
        });

        // RDS rotates its managed secret itself (every 7 days unless told otherwise). This schedule only
        // sets the period: no Lambda function, so nothing that needs a route to Secrets Manager.
        Rotation = new CfnRotationSchedule(this, "CredentialRotation", new CfnRotationScheduleProps
        {
            SecretId = SecretArn,
            RotationRules = new CfnRotationSchedule.RotationRulesProperty
            {
                ScheduleExpression = $"rate({props.CredentialRotationDays.ToString(CultureInfo.InvariantCulture)} days)",
            },
        });

        Props = props;
        PerformanceInsightsEnabled = performanceInsights;
        AcknowledgeRules(props);
    }

    /// <summary>The RDS instance.</summary>
    public DatabaseInstance Instance { get; }

    /// <summary>
    /// The enhanced-monitoring role: AmazonRDSEnhancedMonitoringRole, trusted by <c>monitoring.rds.amazonaws.com</c> only
    /// for this account and this DB instance (<c>aws:SourceAccount</c>, <c>aws:SourceArn</c>).
    /// </summary>
    public Role MonitoringRole { get; }

    /// <summary>The database's own security group (no ingress until access is granted).</summary>
    public SecurityGroup SecurityGroup { get; }

    /// <summary>The master-credentials secret RDS manages (JSON with <c>username</c> and <c>password</c>).</summary>
    public ISecret MasterSecret { get; }

    /// <summary>The ARN of <see cref="MasterSecret"/>.</summary>
    public string SecretArn { get; }

    /// <summary>The rotation schedule of the master secret.</summary>
    public CfnRotationSchedule Rotation { get; }

    /// <summary>The settings this database was built from.</summary>
    public PostgresDatabaseProps Props { get; }

    /// <summary>Whether Performance Insights is on.</summary>
    public bool PerformanceInsightsEnabled { get; }

    /// <summary>The endpoint's DNS name.</summary>
    public string EndpointAddress => Instance.DbInstanceEndpointAddress;

    /// <summary>The network connections of the database (default port 5432).</summary>
    public Connections_ Connections => Instance.Connections;

    /// <summary>
    /// Lets <paramref name="other"/> open connections to the database port: one rule from its security group
    /// into the database's (never an IP range), and the matching egress on its side. The port is written as the
    /// literal 5432 so reviewers and rule packs read it without resolving the instance's endpoint.
    /// </summary>
    public void AllowFrom(IConnectable other, string description) =>
        Connections.AllowFrom(other, Port.Tcp(PostgresDefaults.Port), description);

    /// <summary>
    /// Lets <paramref name="grantee"/> read the master credentials (the secret and, through Secrets Manager
    /// only, decryption with the environment key).
    /// </summary>
    public Grant GrantReadCredentials(IGrantable grantee) => MasterSecret.GrantRead(grantee);

    /// <summary>
    /// Lets <paramref name="grantee"/> log in as the IAM-authenticated database user <paramref name="databaseUser"/>
    /// (<c>rds-db:connect</c> on exactly that user of this instance). The user must exist in the database with
    /// <c>GRANT rds_iam TO "user"</c>.
    /// </summary>
    public Grant GrantConnect(IGrantable grantee, string databaseUser)
    {
        if (databaseUser is null || !IdentifierPattern().IsMatch(databaseUser) || databaseUser == Props.MasterUsername || Reserved.Contains(databaseUser))
        {
            throw new InvalidSettingException("databaseUser", databaseUser, $"a PostgreSQL user name of lowercase letters, digits and underscores, starting with a letter, at most 63 characters, not the master user '{Props.MasterUsername}' nor one of {string.Join(", ", Reserved)}");
        }

        return Instance.GrantConnect(grantee, databaseUser);
    }

    private Role CreateMonitoringRole(string instanceIdentifier)
    {
        var stack = Stack.Of(this);
        return new Role(this, "MonitoringRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("monitoring.rds.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:rds:{stack.Region}:{stack.Account}:db:{instanceIdentifier}" },
            }),
            ManagedPolicies = new[] { ManagedPolicy.FromAwsManagedPolicyName("service-role/AmazonRDSEnhancedMonitoringRole") },
        });
    }

    private void AcknowledgeRules(PostgresDatabaseProps props)
    {
        const string standardPort = "PostgreSQL keeps its standard port 5432: a different port hides nothing from anyone inside the VPC and breaks tooling defaults. Exposure is controlled instead: isolated subnets, not publicly accessible, and ingress only from named security groups.";
        NagAcknowledgement.Add(Instance, standardPort, "AwsSolutions-RDS11");
        ControlTowerAcknowledgement.Add(Instance, standardPort, "CT.RDS.PR.20");
        NagAcknowledgement.Add(
            Instance,
            $"Not in an AWS Backup plan (none was created for it): its backups are RDS automated backups only — {props.BackupRetentionDays} day(s) of point-in-time recovery, encrypted with the database key, in the same account and region, {(props.RemovalPolicy == RemovalPolicy.DESTROY ? "no final snapshot (disposable instance)" : "a final snapshot on deletion or replacement")}. A DatabaseBackupPlan for this database withdraws this acknowledgement and adds copies in a locked vault.",
            "NIST.800.53.R5-RDSInBackupPlan",
            "HIPAA.Security-RDSInBackupPlan");
        NagAcknowledgement.Add(
            MonitoringRole,
            "Enhanced monitoring role with the AWS-managed AmazonRDSEnhancedMonitoringRole policy, the documented policy RDS requires: CloudWatch Logs actions limited to RDS* log groups (RDSOSMetrics). Trusted only by monitoring.rds.amazonaws.com for this account and this DB instance (aws:SourceAccount, aws:SourceArn); it holds no other permission.",
            "AwsSolutions-IAM4");
    }

    private static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal) { "postgres", "rdsadmin", "rds_iam", "rdsrepladmin", "rds_superuser", "public" };

    private static void Validate(PostgresDatabaseProps props)
    {
        if (props.InstanceIdentifier is null || !InstanceIdentifierPattern().IsMatch(props.InstanceIdentifier) || props.InstanceIdentifier.Contains("--") || props.InstanceIdentifier.EndsWith('-'))
        {
            throw new InvalidSettingException("instanceIdentifier", props.InstanceIdentifier, "1 to 63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen");
        }

        if (props.EngineMajorVersion is null || !PostgresDefaults.SupportedMajorVersions.Contains(props.EngineMajorVersion))
        {
            throw new InvalidSettingException("engineMajorVersion", props.EngineMajorVersion, $"a PostgreSQL major in RDS standard support: {string.Join(", ", PostgresDefaults.SupportedMajorVersions)} (default {PostgresDefaults.EngineMajorVersion}); Extended Support is off, so older majors are refused");
        }

        InstanceClassSupport.RequirePostgres("instanceClass", props.InstanceClass, props.EngineMajorVersion);

        if (props.AllocatedStorageGiB < PostgresDefaults.MinimumStorageGiB || props.AllocatedStorageGiB > PostgresDefaults.MaximumStorageGiB)
        {
            throw new InvalidSettingException("allocatedStorageGiB", props.AllocatedStorageGiB.ToString(CultureInfo.InvariantCulture), $"{PostgresDefaults.MinimumStorageGiB} to {PostgresDefaults.MaximumStorageGiB} GiB (gp3 on RDS for PostgreSQL)");
        }

        var minimumCeiling = (int)Math.Ceiling(props.AllocatedStorageGiB * 1.1);
        if (props.MaxAllocatedStorageGiB < minimumCeiling || props.MaxAllocatedStorageGiB > PostgresDefaults.MaximumStorageGiB)
        {
            throw new InvalidSettingException("maxAllocatedStorageGiB", props.MaxAllocatedStorageGiB.ToString(CultureInfo.InvariantCulture), $"{minimumCeiling} to {PostgresDefaults.MaximumStorageGiB} GiB: the autoscaling ceiling must be at least 10% above allocatedStorageGiB ({props.AllocatedStorageGiB}) and within the gp3 limit");
        }

        if (props.BackupRetentionDays < 0 || props.BackupRetentionDays > 35)
        {
            throw new InvalidSettingException("backupRetentionDays", props.BackupRetentionDays.ToString(CultureInfo.InvariantCulture), "0 to 35 days");
        }

        if (props.CredentialRotationDays < 1 || props.CredentialRotationDays > 365)
        {
            throw new InvalidSettingException("credentialRotationDays", props.CredentialRotationDays.ToString(CultureInfo.InvariantCulture), "1 to 365 days");
        }

        if (props.SlowStatementThresholdMs is { } slow && (slow < 0 || slow > 3_600_000))
        {
            throw new InvalidSettingException("slowStatementThresholdMs", slow.ToString(CultureInfo.InvariantCulture), "0 to 3600000 milliseconds, or none (the default: no statement text in the logs)");
        }

        if (props.MasterUsername is null || !IdentifierPattern().IsMatch(props.MasterUsername) || Reserved.Contains(props.MasterUsername))
        {
            throw new InvalidSettingException("masterUsername", props.MasterUsername, $"1 to 63 lowercase letters, digits and underscores, starting with a letter; not {string.Join(", ", Reserved)}");
        }

        if (props.DatabaseName is null || !IdentifierPattern().IsMatch(props.DatabaseName) || props.DatabaseName is "postgres" or "template0" or "template1" or "rdsadmin")
        {
            throw new InvalidSettingException("databaseName", props.DatabaseName, "1 to 63 lowercase letters, digits and underscores, starting with a letter; not postgres, template0, template1 or rdsadmin");
        }

        if (props.RemovalPolicy != RemovalPolicy.SNAPSHOT && props.RemovalPolicy != RemovalPolicy.RETAIN && props.RemovalPolicy != RemovalPolicy.DESTROY)
        {
            throw new InvalidSettingException("removalPolicy", props.RemovalPolicy.ToString(), "SNAPSHOT, RETAIN or DESTROY");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}\\z")]
    private static partial Regex InstanceIdentifierPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}\\z")]
    private static partial Regex IdentifierPattern();
}
