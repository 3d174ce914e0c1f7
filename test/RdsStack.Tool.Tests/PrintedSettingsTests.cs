namespace RdsStack.Tool.Tests;

/// <summary>connect --print: the settings for another client, the IAM token only when asked for.</summary>
public sealed class PrintedSettingsTests
{
    private const string Token = "rdsstack-dev.c0abc.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=alice&X-Amz-Signature=abc123";

    private static readonly ConnectionFacts Facts = ConnectionFacts.Parse(
        """
        {"stackName":"RdsStack-dev","environment":"dev","region":"eu-west-1",
         "database":{"endpoint":"rdsstack-dev.c0abc.eu-west-1.rds.amazonaws.com","port":5432,"name":"app","masterUsername":"dbadmin","secretArn":null,"resourceId":null},
         "bastion":null}
        """,
        "facts.json");

    [Fact]
    public void By_default_the_token_is_not_printed_and_a_line_says_how_to_make_one()
    {
        var lines = PrintedSettings.Lines(Facts, Environment(Token), new PrintedSettings.Password(Token, null), showToken: false, profile: null);

        Assert.DoesNotContain(lines, l => l.Contains("X-Amz-Signature", StringComparison.Ordinal));
        Assert.Contains("export PGPORT='40123'", lines);
        Assert.Contains("export PGSSLMODE='verify-full'", lines);
        Assert.Contains("export PGPASSWORD=\"$(aws rds generate-db-auth-token --hostname rdsstack-dev.c0abc.eu-west-1.rds.amazonaws.com --port 5432 --username alice --region eu-west-1)\"", lines);
        Assert.Contains(lines, l => l.Contains("--show-token", StringComparison.Ordinal));
    }

    [Fact]
    public void The_token_command_names_the_profile_in_use()
    {
        var lines = PrintedSettings.Lines(Facts, Environment(Token), new PrintedSettings.Password(Token, null), showToken: false, profile: "dev-admin");

        Assert.Contains(lines, l => l.EndsWith("--region eu-west-1 --profile 'dev-admin')\"", StringComparison.Ordinal));
    }

    [Fact]
    public void With_show_token_the_token_is_printed()
    {
        var lines = PrintedSettings.Lines(Facts, Environment(Token), new PrintedSettings.Password(Token, null), showToken: true, profile: null);

        Assert.Contains($"export PGPASSWORD='{Token}'", lines);
        Assert.DoesNotContain(lines, l => l.Contains("generate-db-auth-token", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tests_only_password_is_named_by_its_variable_not_printed()
    {
        var lines = PrintedSettings.Lines(Facts, Environment("s3cret"), new PrintedSettings.Password("s3cret", "ERIN_PASSWORD"), showToken: false, profile: null);

        Assert.DoesNotContain(lines, l => l.Contains("s3cret", StringComparison.Ordinal));
        Assert.Contains("export PGPASSWORD=\"${ERIN_PASSWORD}\"", lines);
        Assert.DoesNotContain(lines, l => l.Contains("generate-db-auth-token", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_setting_is_single_quoted_for_the_shell()
    {
        var lines = PrintedSettings.Lines(Facts, Environment("it's"), new PrintedSettings.Password("it's", null), showToken: true, profile: null);

        Assert.Contains("export PGPASSWORD='it'\\''s'", lines);
    }

    private static IReadOnlyDictionary<string, string> Environment(string password) =>
        PsqlLauncher.Environment(Facts, 40123, "alice", password, "/tmp/rdsstack-x/ca.pem");
}
