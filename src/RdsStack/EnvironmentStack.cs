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

        AddOutputs(settings, resourceName);
        PublishConnectionFacts(settings);
        Aspects.Of(this).Add(new LambdaRuntimeFloor());
    }

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
            NagAcknowledgement.Add(
                Database.Instance,
                $"Single-AZ by the '{settings.Name}' preset, a non-production environment, to halve its cost; {recovery}. Production presets are refused at synth unless Multi-AZ.",
                "AwsSolutions-RDS3",
                "NIST.800.53.R5-RDSMultiAZSupport",
                "HIPAA.Security-RDSMultiAZSupport");
        }

        if (!settings.DeletionProtection)
        {
            NagAcknowledgement.Add(
                Database.Instance,
                $"No deletion protection by the '{settings.Name}' preset: this environment is torn down and rebuilt routinely, and its removal policy is {settings.DatabaseRemovalPolicy} ({(settings.DatabaseRemovalPolicy == RemovalPolicy.DESTROY ? "disposable data" : "a final snapshot is kept")}). Production presets are refused at synth without deletion protection.",
                "AwsSolutions-RDS10",
                "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled",
                "HIPAA.Security-RDSInstanceDeletionProtectionEnabled");
        }
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
                ["hostKeysParameter"] = $"/rdsstack/{StackName}/bastion/host-keys",
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
