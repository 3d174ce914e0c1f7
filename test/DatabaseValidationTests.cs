using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>A shared scope for constructing databases with bad settings (nothing is synthesized).</summary>
public sealed class DatabaseScope
{
    private int counter;

    public DatabaseScope()
    {
        var app = CdkJson.NewApp();
        Stack = new Stack(app, "ValidationStack", new StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1", Account = "111111111111" } });
        Vpc = Amazon.CDK.AWS.EC2.Vpc.FromVpcAttributes(Stack, "Vpc", new VpcAttributes
        {
            VpcId = "vpc-12345678",
            AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b" },
            IsolatedSubnetIds = new[] { "subnet-11111111", "subnet-22222222" },
        });
        Key = new Key(Stack, "Key");
    }

    public Stack Stack { get; }

    public IVpc Vpc { get; }

    public IKey Key { get; }

    public PostgresDatabase Create(Func<PostgresDatabaseProps, PostgresDatabaseProps> change)
    {
        var props = change(new PostgresDatabaseProps { Vpc = Vpc, EncryptionKey = Key, InstanceIdentifier = "validation" });
        return new PostgresDatabase(Stack, $"Db{counter++}", props);
    }
}

public sealed class DatabaseValidationTests : IClassFixture<DatabaseScope>
{
    private readonly DatabaseScope scope;

    public DatabaseValidationTests(DatabaseScope scope) => this.scope = scope;

    private InvalidSettingException Refused(string setting, Func<PostgresDatabaseProps, PostgresDatabaseProps> change)
    {
        var error = Assert.Throws<InvalidSettingException>(() => scope.Create(change));
        Assert.Equal(setting, error.Setting);
        Assert.StartsWith($"Invalid setting '{setting}'", error.Message);
        return error;
    }

    [Theory]
    [InlineData(19)]
    [InlineData(65537)]
    [InlineData(0)]
    public void Storage_outside_the_gp3_range_is_refused(int gib)
    {
        var error = Refused("allocatedStorageGiB", p => new PostgresDatabaseProps { Vpc = p.Vpc, EncryptionKey = p.EncryptionKey, InstanceIdentifier = p.InstanceIdentifier, AllocatedStorageGiB = gib, MaxAllocatedStorageGiB = 65536 });
        Assert.Contains("20 to 65536 GiB", error.Message);
    }

    [Theory]
    [InlineData(100, 50)]
    [InlineData(100, 100)]
    [InlineData(100, 109)]
    [InlineData(20, 70000)]
    public void An_autoscaling_ceiling_not_above_the_storage_or_beyond_gp3_is_refused(int storage, int ceiling)
    {
        var error = Refused("maxAllocatedStorageGiB", p => With(p, storage: storage, ceiling: ceiling));
        Assert.Contains($"'{ceiling}'", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(36)]
    public void Backup_days_outside_0_to_35_are_refused(int days) =>
        Refused("backupRetentionDays", p => With(p, backupDays: days));

    [Theory]
    [InlineData(0)]
    [InlineData(366)]
    public void Rotation_days_outside_1_to_365_are_refused(int days)
    {
        var error = Refused("credentialRotationDays", p => With(p, rotationDays: days));
        Assert.Contains("1 to 365", error.Message);
    }

    [Theory]
    [InlineData("db.t2.micro")]
    [InlineData("db.m4.large")]
    [InlineData("db.m7g.micro")]
    [InlineData("db.t4g.4xlarge")]
    [InlineData("t4g.micro")]
    [InlineData("db.banana.large")]
    public void An_instance_class_that_cannot_run_the_engine_is_refused(string instanceClass)
    {
        var error = Refused("instanceClass", p => With(p, instanceClass: instanceClass));
        Assert.Contains($"runs PostgreSQL {PostgresDefaults.EngineMajorVersion}", error.Message);
    }

    [Theory]
    [InlineData("13")]
    [InlineData("19")]
    [InlineData("17.2")]
    [InlineData("")]
    public void Engine_majors_outside_standard_support_are_refused(string major)
    {
        var error = Refused("engineMajorVersion", p => new PostgresDatabaseProps { Vpc = p.Vpc, EncryptionKey = p.EncryptionKey, InstanceIdentifier = p.InstanceIdentifier, EngineMajorVersion = major });
        Assert.Contains("14, 15, 16, 17, 18", error.Message);
    }

    [Fact]
    public void A_class_rds_does_not_offer_for_the_major_is_refused()
    {
        var error = Refused("instanceClass", p => With(p, instanceClass: "db.t4g.micro"));
        Assert.Contains("not orderable with it", error.Message);
        var older = scope.Create(p => new PostgresDatabaseProps { Vpc = p.Vpc, EncryptionKey = p.EncryptionKey, InstanceIdentifier = "older", InstanceClass = "db.t4g.micro", EngineMajorVersion = "17" });
        Assert.Equal("db.t4g.micro", older.Props.InstanceClass);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("rdsadmin")]
    [InlineData("Admin")]
    public void Well_known_or_invalid_master_user_names_are_refused(string name) =>
        Refused("masterUsername", p => With(p, masterUsername: name));

    [Theory]
    [InlineData("Bad_Id")]
    [InlineData("ends-")]
    [InlineData("dou--ble")]
    public void Bad_instance_identifiers_are_refused(string identifier) =>
        Refused("instanceIdentifier", p => new PostgresDatabaseProps { Vpc = p.Vpc, EncryptionKey = p.EncryptionKey, InstanceIdentifier = identifier });

    [Fact]
    public void The_defaults_are_accepted_and_secure()
    {
        var db = scope.Create(p => new PostgresDatabaseProps { Vpc = p.Vpc, EncryptionKey = p.EncryptionKey, InstanceIdentifier = "defaults" });
        Assert.Equal(PostgresDefaults.CredentialRotationDays, db.Props.CredentialRotationDays);
        Assert.True(db.Props.DeletionProtection);
        Assert.Equal(RemovalPolicy.SNAPSHOT, db.Props.RemovalPolicy);
        Assert.NotEqual("postgres", db.Props.MasterUsername);
    }

    [Theory]
    [InlineData("backupRetentionDays")]
    [InlineData("deletionProtection")]
    [InlineData("multiAz")]
    [InlineData("databaseRemovalPolicy")]
    [InlineData("terminationProtection")]
    public void Production_guard_rails_refuse_a_weakened_prod_preset(string field)
    {
        var weakened = field switch
        {
            "backupRetentionDays" => EnvironmentPresets.Prod with { BackupRetentionDays = 6 },
            "deletionProtection" => EnvironmentPresets.Prod with { DeletionProtection = false },
            "multiAz" => EnvironmentPresets.Prod with { MultiAz = false },
            "databaseRemovalPolicy" => EnvironmentPresets.Prod with { DatabaseRemovalPolicy = RemovalPolicy.DESTROY },
            _ => EnvironmentPresets.Prod with { TerminationProtection = false },
        };
        var error = Assert.Throws<InvalidSettingException>(weakened.Validate);
        Assert.Equal($"prod.{field}", error.Setting);
        Assert.Contains("production preset", error.Message);
    }

    [Fact]
    public void Every_shipped_preset_passes_its_own_validation()
    {
        foreach (var preset in EnvironmentPresets.Shared.Append(EnvironmentPresets.Sandbox))
        {
            preset.Validate();
            InstanceClassSupport.RequirePostgres("instanceClass", preset.DatabaseInstanceClass, PostgresDefaults.EngineMajorVersion);
        }
    }

    [Fact]
    public void A_log_retention_cloudwatch_does_not_offer_is_refused()
    {
        var error = Assert.Throws<InvalidSettingException>((EnvironmentPresets.Dev with { LogRetentionDays = 10 }).Validate);
        Assert.Equal("dev.logRetentionDays", error.Setting);
    }

    private static PostgresDatabaseProps With(
        PostgresDatabaseProps p,
        int? storage = null,
        int? ceiling = null,
        int? backupDays = null,
        int? rotationDays = null,
        string? instanceClass = null,
        string? masterUsername = null) => new()
        {
            Vpc = p.Vpc,
            EncryptionKey = p.EncryptionKey,
            InstanceIdentifier = p.InstanceIdentifier,
            AllocatedStorageGiB = storage ?? p.AllocatedStorageGiB,
            MaxAllocatedStorageGiB = ceiling ?? p.MaxAllocatedStorageGiB,
            BackupRetentionDays = backupDays ?? p.BackupRetentionDays,
            CredentialRotationDays = rotationDays ?? p.CredentialRotationDays,
            InstanceClass = instanceClass ?? p.InstanceClass,
            MasterUsername = masterUsername ?? p.MasterUsername,
        };
}
