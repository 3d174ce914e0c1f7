using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// config/accounts.json and the account/region context keys: parsing, every refusal, the rule that a command line
/// cannot move an environment the file places, and the isolation refusal for production.
/// </summary>
public sealed class AccountsTests
{
    private const string Source = "config/accounts.json";

    private static InvalidSettingException RefusedFile(string json) =>
        Assert.Throws<InvalidSettingException>(() => AccountsConfiguration.Parse(json, Source));

    private static IReadOnlyList<EnvironmentSettings> Place(string json, params (string Key, object Value)[] context)
    {
        var config = AccountsConfiguration.Parse(json, Source);
        var values = context.ToDictionary(c => c.Key, c => c.Value);
        var deployment = DeploymentContext.Read(key => values.TryGetValue(key, out var v) ? v : null);
        return EnvironmentPresets.Shared.Append(EnvironmentPresets.Sandbox).Select(p => EnvironmentPlacementRules.Place(p, config, deployment)).ToList();
    }

    [Fact]
    public void The_committed_file_parses_places_no_account_and_the_environments_are_reported_not_isolated()
    {
        var config = AccountsConfiguration.Load(Path.Combine(ProgramTests.RepositoryRoot(), "config"));
        Assert.All(AccountsConfiguration.EnvironmentNames, e => Assert.Null(config.For(e).Account));
        var placed = EnvironmentPresets.Shared.Append(EnvironmentPresets.Sandbox).Select(p => EnvironmentPlacementRules.Place(p, config, DeploymentContext.Read(_ => null))).ToList();
        var isolation = AccountIsolation.Assess(placed);
        Assert.False(isolation.Isolated);
        Assert.StartsWith("Environments are NOT isolated", isolation.Statement);
    }

    [Fact]
    public void A_missing_file_is_an_empty_configuration_so_the_quick_start_needs_none()
    {
        var empty = Directory.CreateTempSubdirectory("rdsstack-noconfig-").FullName;
        Assert.Empty(AccountsConfiguration.Load(empty).Environments);
    }

    [Theory]
    [InlineData("not json", "config/accounts.json")]
    [InlineData("{\"environment\": {}}", "config/accounts.json $.environment")]
    [InlineData("{\"environments\": {\"qa\": {}}}", "config/accounts.json $.environments.qa")]
    [InlineData("{\"environments\": {\"prod\": {\"acount\": \"222222222222\"}}}", "config/accounts.json $.environments.prod.acount")]
    [InlineData("{\"environments\": {\"prod\": {\"account\": \"2222\"}}}", "config/accounts.json $.environments.prod.account")]
    [InlineData("{\"environments\": {\"prod\": {\"account\": 222222222222}}}", "config/accounts.json $.environments.prod.account")]
    [InlineData("{\"environments\": {\"prod\": {\"region\": \"Europe\"}}}", "config/accounts.json $.environments.prod.region")]
    [InlineData("{\"environments\": {\"prod\": {\"availabilityZones\": [\"eu-west-1a\", \"eu-west-1b\"]}}}", "config/accounts.json $.environments.prod.availabilityZones")]
    [InlineData("{\"environments\": {\"prod\": {\"region\": \"eu-west-1\", \"availabilityZones\": [\"eu-central-1a\", \"eu-central-1b\"]}}}", "config/accounts.json $.environments.prod.availabilityZones")]
    [InlineData("{\"environments\": {\"prod\": {\"region\": \"eu-west-1\", \"availabilityZones\": [\"eu-west-1a\", \"eu-west-1a\"]}}}", "config/accounts.json $.environments.prod.availabilityZones")]
    [InlineData("{\"environments\": {\"prod\": {\"keyAdminRoleArn\": \"arn:aws:iam::222222222222:user/bob\"}}}", "config/accounts.json $.environments.prod.keyAdminRoleArn")]
    [InlineData("{\"environments\": {\"prod\": {\"backupCopy\": {\"vaultArn\": \"arn:aws:s3:::bucket\"}}}}", "config/accounts.json $.environments.prod.backupCopy.vaultArn")]
    [InlineData("{\"environments\": {\"prod\": {\"backupCopy\": {\"vaultArn\": \"arn:aws:backup:eu-central-1:333333333333:backup-vault:copy\", \"retentionDays\": 0}}}}", "config/accounts.json $.environments.prod.backupCopy.retentionDays")]
    [InlineData("{\"environments\": {\"prod\": {\"backupCopy\": {\"arn\": \"x\"}}}}", "config/accounts.json $.environments.prod.backupCopy")]
    public void Bad_configuration_is_refused_naming_the_file_and_json_path(string json, string setting)
    {
        var error = RefusedFile(json);
        Assert.Equal(setting, error.Setting);
        Assert.Contains("Allowed:", error.Message);
    }

    [Fact]
    public void Regions_and_accounts_from_the_file_place_each_environment_with_zones_from_the_committed_table()
    {
        var placed = Place("""{"environments": {"prod": {"account": "222222222222", "region": "eu-central-1"}, "dev": {"account": "111111111111", "region": "us-east-1", "availabilityZones": ["us-east-1d", "us-east-1f"]}}}""");
        var prod = placed.Single(e => e.Name == "prod");
        Assert.Equal(("222222222222", "eu-central-1"), (prod.Account, prod.Region));
        Assert.Equal(new[] { "eu-central-1a", "eu-central-1b", "eu-central-1c" }, prod.AvailabilityZones);
        Assert.Equal(new[] { "us-east-1d", "us-east-1f" }, placed.Single(e => e.Name == "dev").AvailabilityZones);
        Assert.Equal(RegionZones.DefaultRegion, placed.Single(e => e.Name == "staging").Region);
    }

    [Fact]
    public void Context_fills_what_the_file_leaves_open()
    {
        var placed = Place("""{"environments": {"prod": {"account": "222222222222"}}}""", ("account.sandbox", "111111111111"), ("region.sandbox", "eu-west-2"));
        var sandbox = placed.Single(e => e.Name == "sandbox");
        Assert.Equal(("111111111111", "eu-west-2"), (sandbox.Account, sandbox.Region));
    }

    [Theory]
    [InlineData("account.sandbox", "333333333333")]
    [InlineData("account", "333333333333")]
    [InlineData("region.sandbox", "us-east-1")]
    public void A_command_line_cannot_move_a_sandbox_the_file_places(string key, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Place("""{"environments": {"sandbox": {"account": "222222222222", "region": "eu-west-1"}}}""", (key, value)));
        Assert.StartsWith(key.Contains('.') ? key : $"{key}.sandbox", error.Setting);
        Assert.Contains("committed in config/accounts.json", error.Allowed);
    }

    [Fact]
    public void Unsuffixed_context_never_places_a_shared_environment()
    {
        var placed = Place("{}", ("account", "333333333333"), ("region", "us-east-1"), ("appSecurityGroupId", "sg-0123456789abcdef0"));
        foreach (var shared in placed.Where(e => e.Name != "sandbox"))
        {
            Assert.Null(shared.Account);
            Assert.Equal("eu-west-1", shared.Region);
            Assert.Null(shared.ExistingAppSecurityGroupId);
        }

        var sandbox = placed.Single(e => e.Name == "sandbox");
        Assert.Equal(("333333333333", "us-east-1", "sg-0123456789abcdef0"), (sandbox.Account, sandbox.Region, sandbox.ExistingAppSecurityGroupId));
    }

    [Fact]
    public void A_shared_environments_app_group_comes_from_the_committed_file()
    {
        var placed = Place("""{"environments": {"prod": {"appSecurityGroupId": "sg-0123456789abcdef0"}}}""");
        Assert.Equal("sg-0123456789abcdef0", placed.Single(e => e.Name == "prod").ExistingAppSecurityGroupId);
        Assert.Equal("config/accounts.json $.environments.prod.appSecurityGroupId", Assert.Throws<InvalidSettingException>(() => Place("""{"environments": {"prod": {"appSecurityGroupId": "sg-NOPE"}}}""")).Setting);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("sandbox")]
    public void Production_in_the_account_of_dev_or_the_sandboxes_is_refused_saying_why(string other)
    {
        var placed = Place("{\"environments\": {\"prod\": {\"account\": \"222222222222\"}, \"" + other + "\": {\"account\": \"222222222222\"}}}");
        var error = Assert.Throws<InvalidSettingException>(() => AccountIsolation.Assess(placed));
        Assert.Equal("account.prod", error.Setting);
        Assert.Contains($"'{other}' is placed in the same account 222222222222", error.Allowed);
        Assert.Contains("master secret", error.Allowed);
    }


    [Fact]
    public void Partial_and_full_placement_are_stated_plainly()
    {
        var partial = AccountIsolation.Assess(Place("""{"environments": {"prod": {"account": "222222222222"}}}"""));
        Assert.False(partial.Isolated);
        Assert.Contains("only partly isolated: dev, staging, sandbox", partial.Statement);
        var full = AccountIsolation.Assess(Place("""{"environments": {"prod": {"account": "222222222222"}, "staging": {"account": "222222222222"}, "dev": {"account": "111111111111"}, "sandbox": {"account": "444444444444"}}}"""));
        Assert.True(full.Isolated);
        Assert.Contains("staging and prod share 222222222222", full.Statement);
    }

    [Fact]
    public void A_region_outside_the_zone_table_needs_explicit_zones()
    {
        var placed = Place("""{"environments": {"dev": {"region": "af-south-1"}}}""");
        var error = Assert.Throws<InvalidSettingException>(() => placed.Single(e => e.Name == "dev").AvailabilityZones);
        Assert.Equal("dev.region", error.Setting);
        Assert.Contains("give availabilityZones", error.Allowed);
    }

    [Fact]
    public void A_backup_copy_for_a_preset_without_a_plan_and_a_key_admin_of_another_account_are_refused()
    {
        var copy = Assert.Throws<InvalidSettingException>(() => Place("""{"environments": {"dev": {"backupCopy": {"vaultArn": "arn:aws:backup:eu-central-1:333333333333:backup-vault:copy"}}}}"""));
        Assert.Equal("config/accounts.json $.environments.dev.backupCopy", copy.Setting);
        var admin = Assert.Throws<InvalidSettingException>(() => Place("""{"environments": {"prod": {"account": "222222222222", "keyAdminRoleArn": "arn:aws:iam::999999999999:role/KeyAdmin"}}}"""));
        Assert.Equal("config/accounts.json $.environments.prod.keyAdminRoleArn", admin.Setting);
    }

    [Fact]
    public void Production_without_a_backup_plan_is_refused()
    {
        var error = Assert.Throws<InvalidSettingException>(() => (EnvironmentPresets.Prod with { BackupPlan = null }).Validate());
        Assert.Equal("prod.backupPlan", error.Setting);
    }
}
