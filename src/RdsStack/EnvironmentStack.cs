using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>Properties of <see cref="EnvironmentStack"/>.</summary>
public sealed class EnvironmentStackProps : StackProps
{
    /// <summary>The environment's preset.</summary>
    public required EnvironmentSettings Settings { get; init; }

    /// <summary>The validated context values.</summary>
    public required DeploymentContext Deployment { get; init; }

    /// <summary>How the environments are isolated by account (default: not assessed, as for a stack built alone).</summary>
    public AccountIsolation? Isolation { get; init; }
    /// <summary>The validated <c>config/operations.json</c>: working hours and topic subscribers.</summary>
    public required OperationsConfig Operations { get; init; }

    /// <summary>
    /// The validated <c>config/database-users.json</c>: the environment's declared people are the only database users
    /// its operator policy allows <c>rds-db:connect</c> as. Default <see cref="DatabaseUsersConfiguration.Nobody"/>:
    /// nobody, so the operator policy has no <c>rds-db:connect</c> statement.
    /// </summary>
    public DatabaseUsersConfiguration DatabaseUsers { get; init; } = DatabaseUsersConfiguration.Nobody;

    /// <summary>The sandbox owner, for a sandbox stack.</summary>
    public string? Owner { get; init; }
}

/// <summary>
/// One environment as one unit: its key, VPC, database, bastion and app-tier access. A sandbox is created and
/// destroyed with a single stack. Resource names derive from the stack name (<c>RdsStack-dev</c> →
/// <c>rdsstack-dev</c>).
/// </summary>
public sealed class EnvironmentStack : Stack
{
    /// <summary>Id of the synth warning on a production stack whose operations topic has no subscriber.</summary>
    public const string NoSubscribersWarning = "@rdsstack/app:alarmsReachNobody";

    /// <summary>Id of the synth warning on a production stack when no accounts separate the environments.</summary>
    public const string NotIsolatedWarning = "@rdsstack/app:environmentsNotIsolated";

    /// <summary>Id of the synth warning for a sandbox given no <c>operatorCidrs</c> (no SSH, Session Manager only).</summary>
    public const string SandboxAdmitsNoSshWarning = "@rdsstack/app:sandboxAdmitsNoSsh";

    private readonly string[] availabilityZones;

    /// <summary>Builds the environment.</summary>
    public EnvironmentStack(Construct scope, string id, EnvironmentStackProps props)
        : base(scope, id, props)
    {
        var settings = props.Settings;
        availabilityZones = settings.AvailabilityZones.ToArray();
        var resourceName = id.ToLowerInvariant();

        Amazon.CDK.Tags.Of(this).Add("project", "RdsStack");
        Amazon.CDK.Tags.Of(this).Add("environment", settings.Name);
        if (props.Owner is not null)
        {
            Amazon.CDK.Tags.Of(this).Add("owner", props.Owner);
        }

        Key = new EnvironmentKey(this, "EnvironmentKey", new EnvironmentKeyProps
        {
            Alias = resourceName,
            RemovalPolicy = settings.KeyRemovalPolicy,
            AdministratorRoleArn = settings.KeyAdministratorRoleArn,
            BackupCopyAccounts = CopyAccounts(settings),
        });
        // CloudWatch Logs may use the key for this stack's log groups only: the database's fixed names and the
        // generated names CloudFormation gives the others (<stack name>-<logical id>-<suffix>).
        Key.GrantUseToCloudWatchLogs($"/aws/rds/instance/{resourceName}/*", $"{id}-*");

        Network = new PrivateNetwork(this, "Network", new PrivateNetworkProps
        {
            AvailabilityZones = settings.AvailabilityZones,
            Cidr = settings.VpcCidr,
            NatGateways = settings.NatGateways,
            EncryptionKey = Key.Key,
            FlowLogRetention = settings.LogRetention,
            LogRemovalPolicy = settings.LogRemovalPolicy,
        });

        Database = new PostgresDatabase(this, "Database", new PostgresDatabaseProps
        {
            Vpc = Network.Vpc,
            VpcSubnets = Network.DatabaseSubnets,
            EncryptionKey = Key.Key,
            InstanceIdentifier = resourceName,
            InstanceClass = settings.DatabaseInstanceClass,
            AllocatedStorageGiB = settings.AllocatedStorageGiB,
            MaxAllocatedStorageGiB = settings.MaxAllocatedStorageGiB,
            MultiAz = settings.MultiAz,
            BackupRetentionDays = settings.BackupRetentionDays,
            DeletionProtection = settings.DeletionProtection,
            RemovalPolicy = settings.DatabaseRemovalPolicy,
            CredentialRotationDays = settings.CredentialRotationDays,
            LogRetention = settings.LogRetention,
            LogRemovalPolicy = settings.LogRemovalPolicy,
            SlowStatementThresholdMs = settings.SlowStatementThresholdMs,
        });

        if (settings.BackupPlan is { } plan)
        {
            Backup = new DatabaseBackupPlan(this, "Backup", new DatabaseBackupPlanProps
            {
                Database = Database,
                KeyAlias = $"{resourceName}-backup",
                RetentionDays = plan.RetentionDays,
                LockMode = plan.LockMode,
                LockMinRetentionDays = plan.LockMinRetentionDays,
                LockChangeableForDays = plan.LockChangeableForDays,
                CopyToVaultArn = plan.CopyToVaultArn,
                CopyRetentionDays = plan.CopyRetentionDays,
                KeyAdministratorRoleArn = settings.KeyAdministratorRoleArn,
            });
        }

        AcknowledgePresetChoices(settings);
        RecordIsolation(settings, props.Isolation);

        var existingAppGroup = settings.ExistingAppSecurityGroupId;
        AppAccess = new AppTierAccess(this, "AppAccess", new AppTierAccessProps
        {
            Vpc = Network.Vpc,
            Database = Database,
            DatabaseUser = settings.AppDatabaseUser,
            ExistingSecurityGroup = existingAppGroup is null
                ? null
                : SecurityGroup.FromSecurityGroupId(this, "ExistingAppSecurityGroup", existingAppGroup, new SecurityGroupImportOptions { Mutable = false }),
        });

        var access = props.Deployment.AccessFor(settings);
        if (settings.BastionEnabled)
        {
            Bastion = new BastionHost(this, "Bastion", new BastionHostProps
            {
                Vpc = Network.Vpc,
                VpcSubnets = Network.PublicSubnets,
                Database = Database,
                EncryptionKey = Key.Key,
                InstanceType = settings.BastionInstanceType,
                OperatorCidrs = access.OperatorCidrs,
                Operators = access.Operators,
                KeyPairName = settings.SinglePersonAccess ? $"{resourceName}-bastion" : null,
                PublicKeyMaterial = settings.SinglePersonAccess ? props.Deployment.BastionPublicKey : null,
                DetailedMonitoring = settings.BastionDetailedMonitoring,
                TerminationProtection = settings.BastionTerminationProtection,
            });
            ExplainAccess(settings, props.Deployment);
            AcknowledgeBastionMonitoring(settings);
        }

        Operators = new OperatorPolicy(this, "OperatorPolicy", new OperatorPolicyProps
        {
            Database = Database,
            Bastion = Bastion,
            ReadableParameterNames = new[] { ConnectionFactsParameterName(id) },
            AllowedDatabaseUsers = props.DatabaseUsers.PeopleOf(settings.Name),
            ExcludedDatabaseUsers = new[] { Database.Props.MasterUsername, settings.AppDatabaseUser },
        });

        AddOperations(settings, props.Operations, resourceName);
        AddWorkingHoursSchedule(settings, props.Operations);

        AcknowledgeControlTowerFindings(settings);
        AddOutputs(settings, resourceName);
        PublishConnectionFacts(settings);
        LambdaRuntimeFloor.ApplyTo(this);
    }

    /// <summary>CT.RDS.PR.8: Control Tower's minimum automated-backup retention, in days.</summary>
    private const int ControlTowerMinimumBackupDays = 7;

    /// <summary>CT.CLOUDWATCH.PR.2: Control Tower's minimum log-group retention, in days.</summary>
    private const int ControlTowerMinimumLogRetentionDays = 365;

    /// <summary>The environment key.</summary>
    public EnvironmentKey Key { get; }

    /// <summary>The network.</summary>
    public PrivateNetwork Network { get; }

    /// <summary>The database.</summary>
    public PostgresDatabase Database { get; }

    /// <summary>The app-tier access.</summary>
    public AppTierAccess AppAccess { get; }

    /// <summary>The operator policy: what a person needs to reach this environment's database as themselves.</summary>
    public OperatorPolicy Operators { get; }

    /// <summary>The AWS Backup plan of the database, when the preset has one.</summary>
    public DatabaseBackupPlan? Backup { get; }

    /// <summary>The bastion, when the preset has one.</summary>
    public BastionHost? Bastion { get; }

    /// <summary>The operations topic every alarm and RDS event of the environment goes to.</summary>
    public OperationsTopic Operations { get; private set; } = null!;

    /// <summary>The alert on dangerous KMS calls (deletion, disabling, policy, grants, aliases) on this stack's keys.</summary>
    public KeyChangeAlert KeyChanges { get; private set; } = null!;

    /// <summary>The alert on failed, aborted or expired backup and copy jobs, when the preset has a backup plan.</summary>
    public BackupFailureAlert? BackupFailures { get; private set; }

    /// <summary>The database alarms, when the preset has alarms.</summary>
    public DatabaseAlarms? DatabaseAlarms { get; private set; }

    /// <summary>The stop/start schedule, when the preset stops outside working hours.</summary>
    public WorkingHoursSchedule? WorkingHours { get; private set; }

    /// <summary>The SSM String parameter with this environment's connection facts (read by <c>rdsstack connect</c>).</summary>
    public Amazon.CDK.AWS.SSM.StringParameter ConnectionFacts { get; private set; } = null!;

    /// <summary>The preset's zones: no availability-zone lookup even when the account is known.</summary>
    public override string[] AvailabilityZones => availabilityZones;

    /// <summary>
    /// Non-production presets choose cost over availability; the rule packs flag that, and the reason is the
    /// preset's. Production presets cannot make these choices (<see cref="EnvironmentSettings.Validate"/>).
    /// </summary>
    private void AcknowledgePresetChoices(EnvironmentSettings settings)
    {
        var recovery = settings.BackupRetentionDays > 0
            ? $"recovery is a point-in-time restore from {settings.BackupRetentionDays} day(s) of encrypted automated backups"
            : "it holds no data worth restoring";
        if (!settings.MultiAz)
        {
            var singleAz = $"Single-AZ by the '{settings.Name}' preset, a non-production environment, to halve its cost; {recovery}. Production presets are refused at synth unless Multi-AZ.";
            NagAcknowledgement.Add(
                Database.Instance,
                singleAz,
                "AwsSolutions-RDS3",
                "NIST.800.53.R5-RDSMultiAZSupport",
                "HIPAA.Security-RDSMultiAZSupport");
            ControlTowerAcknowledgement.Add(Database.Instance, singleAz, "CT.RDS.PR.1");
        }

        if (settings.BackupPlan is null)
        {
            NagAcknowledgement.Add(
                Database.Instance,
                $"No AWS Backup plan by the '{settings.Name}' preset, a non-production environment: its backups are RDS automated backups only — {settings.BackupRetentionDays} day(s) of point-in-time recovery, encrypted with the environment key, in the same account and region, {(settings.DatabaseRemovalPolicy == RemovalPolicy.DESTROY ? "no final snapshot (disposable data)" : "a final snapshot on deletion or replacement")}. Production presets are refused at synth without an AWS Backup plan into a locked vault.",
                "NIST.800.53.R5-RDSInBackupPlan",
                "HIPAA.Security-RDSInBackupPlan");
        }

        if (!settings.DeletionProtection)
        {
            var unprotected = $"No deletion protection by the '{settings.Name}' preset: this environment is torn down and rebuilt routinely, and its removal policy is {settings.DatabaseRemovalPolicy} ({(settings.DatabaseRemovalPolicy == RemovalPolicy.DESTROY ? "disposable data" : "a final snapshot is kept")}). Production presets are refused at synth without deletion protection.";
            NagAcknowledgement.Add(
                Database.Instance,
                unprotected,
                "AwsSolutions-RDS10",
                "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled",
                "HIPAA.Security-RDSInstanceDeletionProtectionEnabled");
            ControlTowerAcknowledgement.Add(Database.Instance, unprotected, "CT.RDS.PR.13");
        }

        if (settings.BackupRetentionDays < ControlTowerMinimumBackupDays)
        {
            ControlTowerAcknowledgement.Add(
                Database.Instance,
                $"Automated backups are on, {settings.BackupRetentionDays} day(s) by the '{settings.Name}' preset, a non-production environment whose data is rebuilt rather than restored from weeks back; backup storage beyond the instance's size is billed. Production presets are refused at synth with fewer than {EnvironmentSettings.ProductionMinimumBackupDays} days.",
                "CT.RDS.PR.8");
        }
    }

    /// <summary>Findings of Control Tower proactive controls that the design accepts, with the reason.</summary>
    private void AcknowledgeControlTowerFindings(EnvironmentSettings settings)
    {
        if (settings.LogRetentionDays < ControlTowerMinimumLogRetentionDays)
        {
            var logGroups = Node.FindAll().OfType<CfnResource>().Where(r => r.CfnResourceType == "AWS::Logs::LogGroup");
            foreach (var logGroup in logGroups)
            {
                ControlTowerAcknowledgement.Add(
                    logGroup,
                    $"Logs are kept {settings.LogRetentionDays} days by the '{settings.Name}' preset, a non-production environment, to limit CloudWatch Logs storage cost (billed per GB-month for every day kept); there they serve troubleshooting. The production preset keeps {EnvironmentPresets.Prod.LogRetentionDays} days.",
                    "CT.CLOUDWATCH.PR.2");
            }
        }

        if (Bastion is not null)
        {
            ControlTowerAcknowledgement.Add(
                Bastion.Instance,
                "The bastion is a burstable t4g, t3 or t3a instance (the only types BastionHost accepts), none of which encrypts traffic between instances in hardware (CT.EC2.PR.19 lists only Nitro types such as c6i or m6i, several times the price). Everything it carries is already encrypted end to end: SSH from the operator, and TLS into the database (rds.force_ssl=1).",
                "CT.EC2.PR.19");
        }
    }

    /// <summary>
    /// Acknowledges CT.EC2.PR.10 on the bastion's launch template, which CDK creates in an aspect at synth time (to
    /// require IMDSv2), so the acknowledgement is an aspect too.
    /// </summary>
    private sealed class LaunchTemplateMonitoringAcknowledgement : Amazon.JSII.Runtime.Deputy.DeputyBase, IAspect
    {
        private readonly string reason;

        public LaunchTemplateMonitoringAcknowledgement(string reason) => this.reason = reason;

        public void Visit(IConstruct node)
        {
            if (node is Amazon.CDK.AWS.EC2.CfnLaunchTemplate launchTemplate)
            {
                ControlTowerAcknowledgement.Add(launchTemplate, reason, "CT.EC2.PR.10");
            }
        }
    }

    /// <summary>Says at synth where this environment's access comes from and what it means when nobody is listed.</summary>
    private void ExplainAccess(EnvironmentSettings settings, DeploymentContext deployment)
    {
        var bastion = Bastion!;
        if (settings.SinglePersonAccess)
        {
            if (deployment.OperatorCidrs.Count == 0)
            {
                // One warning, the sandbox's own (with the command-line fix), instead of the library's generic one.
                Annotations.Of(bastion).AcknowledgeWarning(BastionHost.NoOperatorCidrsWarning, "replaced by the sandbox warning");
                Annotations.Of(bastion).AddWarningV2(SandboxAdmitsNoSshWarning, $"No SSH to this sandbox: add your network with -c {DeploymentContext.OperatorCidrsKey}=<your public IP>/32 (find it with 'curl -s https://checkip.amazonaws.com'), or use the SessionManagerTunnelCommand output. -c {DeploymentContext.OperatorCidrsKey} affects the sandbox only.");
            }

            return;
        }

        var file = deployment.Access.Exists ? deployment.Access.Path : $"{DeploymentContext.DefaultConfigDir}/{AccessConfiguration.FileName} (not found)";
        if (bastion.Operators.Count == 0)
        {
            // Intended: a shared environment without named operators is reached through Session Manager only.
            Annotations.Of(bastion).AcknowledgeWarning(BastionHost.NoOperatorCidrsWarning, "no named operators: Session Manager only, by configuration");
            Annotations.Of(bastion).AddInfo($"{settings.Name}: no named operators in {file}, so the bastion has no SSH login; the database is reached only through Session Manager port forwarding to it (SessionManagerTunnelCommand) by roles with the OperatorPolicyArn policy. Grant a person SSH by adding them under \"{settings.Name}\" in that file (a reviewed commit).");
        }
        else
        {
            Annotations.Of(bastion).AddInfo($"{settings.Name}: SSH logins for {string.Join(", ", bastion.Operators.Select(o => o.Name))} from {file}; command-line operatorCidrs/bastionPublicKey do not apply here.");
        }
    }


    /// <summary>
    /// States in the template (metadata <c>RdsStack::Isolation</c>, read by the reviewer report) and in the synth output
    /// whether the environments are isolated by account.
    /// </summary>
    private void RecordIsolation(EnvironmentSettings settings, AccountIsolation? isolation)
    {
        if (isolation is null)
        {
            return;
        }

        TemplateOptions.Metadata = new Dictionary<string, object>
        {
            ["RdsStack::Isolation"] = new Dictionary<string, object> { ["isolated"] = isolation.Isolated, ["statement"] = isolation.Statement },
        };
        if (isolation.Isolated)
        {
            return;
        }

        // The risk is prod's (its secret, snapshots and key within reach of everyone the shared account lets in): a
        // production stack warns, the others say it once as info, so a default synth shows one warning, not four.
        if (settings.Production)
        {
            Annotations.Of(this).AddWarningV2(NotIsolatedWarning, isolation.Statement + " See README 'Multi-account'.");
        }
        else
        {
            Annotations.Of(this).AddInfo(isolation.Statement + " See README 'Multi-account'.");
        }
    }

    private static string[] CopyAccounts(EnvironmentSettings settings) =>
        settings.BackupPlan?.CopyToVaultArn is { } vault && Arns.AccountOf(vault) != settings.Account
            ? new[] { Arns.AccountOf(vault) }
            : Array.Empty<string>();

    /// <summary>
    /// The operations topic (encrypted with the environment key, which lets the publishing services and EventBridge
    /// use it), the RDS event subscription, the alerts on dangerous KMS calls on this stack's keys and — with a backup
    /// plan — on failed backup and copy jobs, and, when the preset has alarms, the database and bastion alarms.
    /// </summary>
    private void AddOperations(EnvironmentSettings settings, OperationsConfig operations, string resourceName)
    {
        Key.AllowNotificationServices(OperationsTopic.PublishingServices.Append(RuleScopedTopicTarget.EventBridgeServicePrincipal).ToArray());
        var subscribers = operations.SubscribersOf(settings.Name);
        if (subscribers.Email.Count + subscribers.Https.Count == 0)
        {
            // Alarms and RDS events of a production environment must reach someone; elsewhere the topic can wait.
            var nobody = $"{settings.Name}: the operations topic has no subscriber in {DeploymentContext.DefaultConfigDir}/operations.json, so its alarms and RDS events reach nobody. Add your on-call address under \"subscribers\".\"{settings.Name}\" (or subscribe a chat integration to the OperationsTopicArn output).";
            if (settings.Production)
            {
                Annotations.Of(this).AddWarningV2(NoSubscribersWarning, nobody);
            }
            else
            {
                Annotations.Of(this).AddInfo(nobody);
            }
        }

        Operations = new OperationsTopic(this, "Operations", new OperationsTopicProps
        {
            EncryptionKey = Key.Key,
            DisplayName = resourceName,
            EmailSubscribers = subscribers.Email,
            HttpsSubscribers = subscribers.Https,
        });

        if (settings.DatabaseEventCategories.Count > 0)
        {
            _ = new DatabaseEventSubscription(this, "DatabaseEvents", Database, Operations.Topic, settings.DatabaseEventCategories);
        }

        var keys = Backup is null ? new[] { Key } : new[] { Key, Backup.Key };
        KeyChanges = new KeyChangeAlert(this, "KeyChangeAlert", new KeyChangeAlertProps
        {
            Keys = keys.Select(k => k.Key).ToArray(),
            AliasNames = keys.Select(k => k.Alias).ToArray(),
            Topic = Operations.Topic,
        });
        if (Backup is not null)
        {
            BackupFailures = new BackupFailureAlert(this, "BackupFailureAlert", new BackupFailureAlertProps { Vault = Backup.Vault, Topic = Operations.Topic });
        }

        if (!settings.AlarmsEnabled)
        {
            return;
        }

        DatabaseAlarms = new DatabaseAlarms(this, "DatabaseAlarms", new DatabaseAlarmsProps { Database = Database, Topic = Operations.Topic });
        if (Bastion is not null)
        {
            _ = new InstanceStatusAlarm(this, "BastionStatusAlarm", Bastion.Instance.InstanceId, $"{resourceName} bastion", Operations.Topic);
        }
    }

    /// <summary>Stops the database and the bastion outside working hours when the preset asks for it.</summary>
    private void AddWorkingHoursSchedule(EnvironmentSettings settings, OperationsConfig operations)
    {
        if (!settings.StopOutsideWorkingHours)
        {
            return;
        }

        WorkingHours = new WorkingHoursSchedule(this, "WorkingHours", new WorkingHoursScheduleProps
        {
            Database = Database,
            InstanceId = Bastion?.Instance.InstanceId,
            InstanceVolumeKey = Bastion is null ? null : Key.Key,
            TimeZone = operations.TimeZone,
            WorkingDays = operations.WorkingDays,
            Start = operations.Start,
            Stop = operations.Stop,
        });
    }

    /// <summary>A preset without bastion detailed monitoring: the rule packs flag it, and the reason is the preset's.</summary>
    private void AcknowledgeBastionMonitoring(EnvironmentSettings settings)
    {
        if (settings.BastionDetailedMonitoring || Bastion is null)
        {
            return;
        }

        var reason = $"No detailed monitoring by the '{settings.Name}' preset: the bastion only forwards SSH and Session Manager sessions, nobody reads its 1-minute graphs, and detailed monitoring costs $2.10 a month. Basic 5-minute EC2 metrics remain, and EC2 status checks are published every minute free of charge either way{(settings.AlarmsEnabled ? " (the status-check alarm reads them)" : string.Empty)}.";
        NagAcknowledgement.Add(Bastion.Instance, reason, "AwsSolutions-EC28", "HIPAA.Security-EC2InstanceDetailedMonitoringEnabled");
        ControlTowerAcknowledgement.Add(Bastion.Instance, reason, "CT.EC2.PR.13");
        Aspects.Of(Bastion.Instance).Add(new LaunchTemplateMonitoringAcknowledgement(reason));
    }

    /// <summary>
    /// Publishes what a client needs to reach the database as one SSM String parameter,
    /// <c>/rdsstack/&lt;stack name&gt;/connection</c>, whose JSON value the <c>rdsstack</c> tool reads (the tool cannot
    /// use CloudFormation, RDS or Secrets Manager SDKs here). Nothing secret is in it: names, addresses and ARNs.
    /// The bastion's host keys live in their own parameter (written by the bastion at boot), referenced by name.
    /// </summary>
    private void PublishConnectionFacts(EnvironmentSettings settings)
    {
        var bastion = Bastion is null
            ? null
            : new JsonObject
            {
                ["instanceId"] = Bastion.Instance.InstanceId,
                ["publicDnsName"] = Bastion.PublicDnsName,
                ["publicIp"] = Bastion.PublicIp,
                ["sshPort"] = 22,
                ["hostKeysParameter"] = Bastion.HostKeysParameterName,
                ["generatedKeyParameter"] = Bastion.PrivateKeyParameterName,
                ["generatedKeyUser"] = Bastion.HasGeneratedKey ? "ec2-user" : null,
            };
        var facts = new JsonObject
        {
            ["stackName"] = StackName,
            ["environment"] = settings.Name,
            ["region"] = settings.Region,
            ["database"] = new JsonObject
            {
                ["endpoint"] = Database.EndpointAddress,
                ["port"] = PostgresDefaults.Port,
                ["name"] = Database.Props.DatabaseName,
                ["masterUsername"] = Database.Props.MasterUsername,
                ["secretArn"] = Database.SecretArn,
                ["resourceId"] = Database.Instance.InstanceResourceId,
            },
            ["bastion"] = bastion,
        };

        // Deploy-time values (endpoint, ids, ARNs) are string tokens inside the JSON text; CDK turns the text into
        // an Fn::Join. None of them contains a character JSON would escape.
        ConnectionFacts = new Amazon.CDK.AWS.SSM.StringParameter(this, "ConnectionFacts", new Amazon.CDK.AWS.SSM.StringParameterProps
        {
            ParameterName = ConnectionFactsParameterName(StackName),
            Description = "rdsstack connection facts: database endpoint, port, name, master user and secret ARN; bastion address and host-keys parameter",
            StringValue = facts.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            Tier = Amazon.CDK.AWS.SSM.ParameterTier.STANDARD,
        });
    }

    /// <summary>The name of a stack's connection-facts parameter.</summary>
    public static string ConnectionFactsParameterName(string stackName) => $"/rdsstack/{stackName}/connection";

    private void AddOutputs(EnvironmentSettings settings, string resourceName)
    {
        var region = settings.Region;
        var endpoint = Database.EndpointAddress;
        void Output(string id, string value, string description, string? exportName = null) =>
            _ = new CfnOutput(this, id, new CfnOutputProps { Value = value, Description = description, ExportName = exportName });

        Output("DatabaseEndpoint", endpoint, "PostgreSQL endpoint address (private: reachable from the VPC or through the bastion)");
        Output("DatabasePort", Database.Instance.DbInstanceEndpointPort, "PostgreSQL port");
        Output("DatabaseName", Database.Props.DatabaseName, "Database created with the instance");
        Output("DatabaseMasterUsername", Database.Props.MasterUsername, "Master user (password in the secret below)");
        Output("DatabaseSecretArn", Database.SecretArn, "Secrets Manager secret with the master credentials (RDS-managed, rotated automatically)");
        Output("DatabaseCaBundleUrl", ConnectionCommands.CaBundleUrl(region), "RDS CA bundle for sslmode=verify-full");
        Output("DatabaseFetchPasswordCommand", ConnectionCommands.FetchPassword(region, Database.SecretArn), "Puts the master password into PGPASSWORD");
        Output("AppSecurityGroupId", AppAccess.SecurityGroup.SecurityGroupId, "Security group admitted to the database on 5432; attach it to the application", $"{StackName}-AppSecurityGroupId");
        Output("AppRoleArn", AppAccess.Role.RoleArn, $"Example application role: rds-db:connect as {AppAccess.DatabaseUser}");
        Output("OperatorPolicyArn", Operators.PolicyArn, "Attach to the roles / permission sets of the people who reach this database: tunnel to it, rds-db:connect as their own database user when config/database-users.json declares it (principal tag rdsstack-user = their name)", $"{StackName}-OperatorPolicyArn");
        Output("OperationsTopicArn", Operations.TopicArn, "SNS topic of the environment's alarms and RDS events (add it to a chat integration to see them there)");
        if (WorkingHours is not null)
        {
            Output("StartNowCommand", ConnectionCommands.StartNow(region, Database.Props.InstanceIdentifier, Bastion?.Instance.InstanceId), "Starts the stopped database (and bastion) outside working hours; the evening schedule stops them again");
        }

        if (Bastion is null)
        {
            return;
        }

        var keyFile = $"~/.ssh/{resourceName}-bastion.pem";
        Output("BastionPublicDnsName", Bastion.PublicDnsName, "Bastion public DNS name (Elastic IP)");
        Output("BastionInstanceId", Bastion.Instance.InstanceId, "Bastion instance id (for Session Manager)");
        Output("BastionHostKeysParameter", Bastion.HostKeysParameterName, "SSM parameter with the bastion's SSH host public keys (written at boot)");
        Output("BastionHostKeyFingerprintsCommand", ConnectionCommands.HostKeyFingerprints(region, Bastion.HostKeysParameterName), "Prints the bastion's SSH host key fingerprints (SHA256), to compare with what ssh shows");
        Output("BastionKnownHostsCommand", ConnectionCommands.TrustHostKeys(region, Bastion.HostKeysParameterName, Bastion.PublicDnsName), "Adds the bastion's published host keys to ~/.ssh/known_hosts before the first connection");
        if (Bastion.PrivateKeyParameterName is { } parameter)
        {
            Output("BastionPrivateKeyParameter", parameter, "SSM SecureString parameter holding the bastion's private key");
            Output("BastionFetchKeyCommand", ConnectionCommands.FetchPrivateKey(region, parameter, keyFile), "Writes the private key to a file readable only by you");
        }
        else
        {
            keyFile = "~/.ssh/id_ed25519";
        }

        var login = Bastion.KeyPair is null ? ConnectionCommands.OperatorPlaceholder : "ec2-user";
        var databaseUser = Bastion.KeyPair is null ? ConnectionCommands.OperatorPlaceholder : Database.Props.MasterUsername;
        Output("BastionSshTunnelCommand", ConnectionCommands.SshTunnel(keyFile, endpoint, login, Bastion.PublicDnsName), Bastion.KeyPair is null
            ? $"Opens localhost:5432 to the database through the bastion; replace {ConnectionCommands.OperatorPlaceholder} by your name in config/access.json"
            : "Opens localhost:5432 to the database through the bastion");
        Output("SessionManagerTunnelCommand", ConnectionCommands.SessionManagerTunnel(region, Bastion.Instance.InstanceId, Bastion.TunnelDocument.Ref), "The same tunnel with no SSH key or open port (needs the Session Manager plugin); the document forwards to the database only");
        Output("PsqlCommand", Bastion.KeyPair is null
            ? ConnectionCommands.PsqlAsIamUser(region, endpoint, Database.Props.DatabaseName, databaseUser)
            : ConnectionCommands.Psql(region, endpoint, Database.Props.DatabaseName, databaseUser), "psql through the tunnel with sslmode=verify-full");
    }
}
