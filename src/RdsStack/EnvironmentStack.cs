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
        });

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
        });

        AcknowledgePresetChoices(settings);

        var existingAppGroup = props.Deployment.AppSecurityGroupIdFor(settings.Name);
        AppAccess = new AppTierAccess(this, "AppAccess", new AppTierAccessProps
        {
            Vpc = Network.Vpc,
            Database = Database,
            DatabaseUser = settings.AppDatabaseUser,
            ExistingSecurityGroup = existingAppGroup is null
                ? null
                : SecurityGroup.FromSecurityGroupId(this, "ExistingAppSecurityGroup", existingAppGroup, new SecurityGroupImportOptions { Mutable = false }),
        });

        if (settings.BastionEnabled)
        {
            Bastion = new BastionHost(this, "Bastion", new BastionHostProps
            {
                Vpc = Network.Vpc,
                VpcSubnets = Network.PublicSubnets,
                Database = Database,
                EncryptionKey = Key.Key,
                InstanceType = settings.BastionInstanceType,
                OperatorCidrs = props.Deployment.OperatorCidrs,
                KeyPairName = $"{resourceName}-bastion",
                PublicKeyMaterial = props.Deployment.BastionPublicKey,
                TerminationProtection = settings.BastionTerminationProtection,
            });
        }

        AcknowledgeControlTowerFindings(settings);
        AcknowledgeFindingsFixedElsewhere();
        AddOutputs(settings, resourceName);
        Aspects.Of(this).Add(new LambdaRuntimeFloor());
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

    /// <summary>The bastion, when the preset has one.</summary>
    public BastionHost? Bastion { get; }

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
    /// Control Tower findings that other changes fix: each line goes when its fix is merged (the review fails on an
    /// acknowledgement that is no longer used, so a stale line cannot survive the merge).
    /// </summary>
    private void AcknowledgeFindingsFixedElsewhere()
    {
        // replaced by #9 fix at merge: the key policy gains the statement that limits kms:CreateGrant to AWS services.
        ControlTowerAcknowledgement.Add(Key.Key, "The key policy is CDK's default (kms:* for this account, delegated to IAM) plus CloudWatch Logs, with no statement that denies kms:CreateGrant to callers other than AWS services. No IAM policy in this stack allows kms:CreateGrant; only identities of this account whose own IAM policies allow it could create a grant.", "CT.KMS.PR.3");
        if (Bastion is null)
        {
            return;
        }

        // replaced by #8 fix at merge: the bastion is placed through a network interface with AssociatePublicIpAddress false.
        ControlTowerAcknowledgement.Add(Bastion.Instance, "The bastion is placed by SubnetId in a public subnet that assigns no public address (MapPublicIpOnLaunch false); its only public address is the Elastic IP, reachable on TCP 22 from the operator networks only.", "CT.EC2.PR.8");

        // replaced by #8 fix at merge: the launch template turns on detailed monitoring. CDK creates that launch
        // template in an aspect at synth time (RequireImdsv2), so the acknowledgement is an aspect too.
        Aspects.Of(Bastion.Instance).Add(new LaunchTemplateMonitoringAcknowledgement());
    }

    /// <summary>replaced by #8 fix at merge: acknowledges CT.EC2.PR.10 on the bastion's CDK-generated launch template.</summary>
    private sealed class LaunchTemplateMonitoringAcknowledgement : Amazon.JSII.Runtime.Deputy.DeputyBase, IAspect
    {
        public void Visit(IConstruct node)
        {
            if (node is Amazon.CDK.AWS.EC2.CfnLaunchTemplate launchTemplate)
            {
                ControlTowerAcknowledgement.Add(launchTemplate, "Detailed monitoring is on for the bastion instance itself (Monitoring true); this launch template, generated by CDK only to require IMDSv2, does not repeat the setting.", "CT.EC2.PR.10");
            }
        }
    }

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

        if (Bastion is null)
        {
            return;
        }

        var keyFile = $"~/.ssh/{resourceName}-bastion.pem";
        Output("BastionPublicDnsName", Bastion.PublicDnsName, "Bastion public DNS name (Elastic IP)");
        Output("BastionInstanceId", Bastion.Instance.InstanceId, "Bastion instance id (for Session Manager)");
        if (Bastion.PrivateKeyParameterName is { } parameter)
        {
            Output("BastionPrivateKeyParameter", parameter, "SSM SecureString parameter holding the bastion's private key");
            Output("BastionFetchKeyCommand", ConnectionCommands.FetchPrivateKey(region, parameter, keyFile), "Writes the private key to a file readable only by you");
        }
        else
        {
            keyFile = "~/.ssh/id_ed25519";
        }

        Output("BastionSshTunnelCommand", ConnectionCommands.SshTunnel(keyFile, endpoint, Bastion.PublicDnsName), "Opens localhost:5432 to the database through the bastion");
        Output("SessionManagerTunnelCommand", ConnectionCommands.SessionManagerTunnel(region, Bastion.Instance.InstanceId, endpoint), "The same tunnel with no SSH key or open port (needs the Session Manager plugin)");
        Output("PsqlCommand", ConnectionCommands.Psql(region, endpoint, Database.Props.DatabaseName, Database.Props.MasterUsername), "psql through the tunnel with sslmode=verify-full");
    }
}
