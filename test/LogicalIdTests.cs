using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// Stateful resources keep their logical ids: a changed id makes CloudFormation create a new resource and
/// delete the old one — for a database that is data loss, for a key it is every snapshot becoming unreadable.
/// If one of these fails after a refactor, restore the construct ids (or pin the id with OverrideLogicalId);
/// never update the expected value for a deployed environment.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class LogicalIdTests
{
    private readonly StandardApp app;

    public LogicalIdTests(StandardApp app) => this.app = app;

    public static TheoryData<string, string> Stateful => new()
    {
        { "EnvironmentKeyC299B772", "AWS::KMS::Key" },
        { "DatabaseInstanceAA8A5FDE", "AWS::RDS::DBInstance" }, // owns the RDS-managed master secret
        { "DatabaseCredentialRotation9152E26D", "AWS::SecretsManager::RotationSchedule" },
        { "DatabaseParametersB8AC9B07", "AWS::RDS::DBParameterGroup" },
        { "DatabaseInstanceSubnetGroupDE121BB6", "AWS::RDS::DBSubnetGroup" },
        { "DatabaseLogpostgresql534130D9", "AWS::Logs::LogGroup" },
        { "DatabaseLogupgrade451ACE4A", "AWS::Logs::LogGroup" },
        { "NetworkFlowLogs2BEC3212", "AWS::Logs::LogGroup" },
    };

    [Theory]
    [MemberData(nameof(Stateful))]
    public void Stateful_resources_keep_their_logical_ids_in_every_environment(string logicalId, string type)
    {
        foreach (var stack in StandardApp.StackNames)
        {
            var resources = app[stack]["Resources"]!.AsObject();
            Assert.True(resources.ContainsKey(logicalId), $"{stack} lost {logicalId} ({type}): renaming it would replace it");
            Assert.Equal(type, (string?)resources[logicalId]!["Type"]);
        }
    }

    [Theory]
    [InlineData("BackupVaultADF21B19", "AWS::Backup::BackupVault")] // holds the locked recovery points
    [InlineData("BackupVaultKeyE3270EF1", "AWS::KMS::Key")] // the vault's own key
    public void Prods_backup_vault_and_its_key_keep_their_logical_ids(string logicalId, string type)
    {
        var resources = app["RdsStack-prod"]["Resources"]!.AsObject();
        Assert.True(resources.ContainsKey(logicalId), $"RdsStack-prod lost {logicalId} ({type}): renaming it would orphan the locked vault");
        Assert.Equal(type, (string?)resources[logicalId]!["Type"]);
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_secret_belongs_to_the_pinned_database(string stack)
    {
        Assert.Contains("\"DatabaseInstanceAA8A5FDE\",\"MasterUserSecret.SecretArn\"", app[stack].Output("DatabaseSecretArn"));
    }
}
