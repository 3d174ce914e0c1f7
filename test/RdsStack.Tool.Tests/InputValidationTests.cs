namespace RdsStack.Tool.Tests;

/// <summary>Facts files, declarations and CA bundles: bad input is refused with a message naming what is wrong.</summary>
public sealed class InputValidationTests
{
    private const string Facts = """
        {"stackName":"RdsStack-dev","environment":"dev","region":"eu-west-1",
         "database":{"endpoint":"rdsstack-dev.c0abc.eu-west-1.rds.amazonaws.com","port":5432,"name":"app","masterUsername":"dbadmin","secretArn":null,"resourceId":null},
         "bastion":null}
        """;

    [Fact]
    public void A_facts_file_of_the_published_shape_is_read()
    {
        var facts = ConnectionFacts.Parse(Facts, "facts.json");

        Assert.Equal("rdsstack-dev.c0abc.eu-west-1.rds.amazonaws.com", facts.Database.Endpoint);
        Assert.Null(facts.Bastion);
    }

    [Theory]
    [InlineData("\"region\":\"eu-west-1\",", "\"region\":\"\",", "lack 'region'")]
    [InlineData("\"region\":\"eu-west-1\",", "", "not valid")]
    [InlineData("\"port\":5432", "\"port\":0", "no valid database.port")]
    [InlineData("\"endpoint\":\"rdsstack-dev.c0abc.eu-west-1.rds.amazonaws.com\",", "", "not valid")]
    [InlineData("\"bastion\":null", "\"bastion\":{\"publicIp\":\"203.0.113.10\"}", "not valid")]
    [InlineData("\"bastion\":null", "\"bastion\":{\"hostKeysParameter\":\"/x\"}", "name no bastion address")]
    public void Incomplete_facts_are_refused(string from, string to, string expected)
    {
        var error = Assert.Throws<ToolException>(() => ConnectionFacts.Parse(Facts.Replace(from, to, StringComparison.Ordinal), "facts.json"));

        Assert.Contains("facts.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_declaration_lists_people_and_application_users_for_the_environment()
    {
        var declaration = UsersDeclaration.Parse(
            """{ "dev": { "application": { "app_user": "readwrite" }, "people": { "alice": "owner", "bob_2": "readonly" } }, "prod": { "people": { "carol": "readonly" } } }""",
            "config/database-users.json",
            "dev",
            "dbadmin");

        Assert.Equal(new Dictionary<string, string> { ["app_user"] = "readwrite", ["alice"] = "owner", ["bob_2"] = "readonly" }, declaration.Logins);
    }

    [Theory]
    [InlineData("""{ "dev": { "people": { "alice": "admin" } } }""", "$.dev.people.alice has unknown role 'admin'. Allowed: readonly, readwrite, owner")]
    [InlineData("""{ "dev": { "people": { "Alice": "owner" } } }""", "'Alice' is not a valid name")]
    [InlineData("""{ "dev": { "people": { "dbadmin": "owner" } } }""", "'dbadmin' is reserved")]
    [InlineData("""{ "dev": { "people": { "rds_iam": "owner" } } }""", "'rds_iam' is reserved")]
    [InlineData("""{ "dev": { "people": { "alice": "owner" }, "application": { "alice": "readonly" } } }""", "'alice' is declared twice")]
    [InlineData("""{ "dev": { "admins": { "alice": "owner" } } }""", "$.dev.admins is not allowed")]
    [InlineData("""{ "prod": { "people": { "alice": "owner" } } }""", "no entry for environment 'dev'")]
    [InlineData("""{ "dev": """, "is not valid JSON")]
    public void A_bad_declaration_is_refused_before_anything_connects(string json, string expected)
    {
        var error = Assert.Throws<ToolException>(() => UsersDeclaration.Parse(json, "config/database-users.json", "dev", "dbadmin"));

        Assert.Contains("config/database-users.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_committed_declaration_is_valid_for_every_environment()
    {
        var path = Path.Combine(RepositoryRoot(), "config", "database-users.json");
        foreach (var environment in new[] { "dev", "staging", "prod", "sandbox" })
        {
            var declaration = UsersDeclaration.Load(path, environment, "dbadmin");
            Assert.Equal("readwrite", declaration.Logins["app_user"]);
        }
    }

    [Theory]
    [InlineData("eu-west-1")]
    [InlineData("us-east-1")]
    [InlineData("ap-southeast-2")]
    public void The_shipped_bundle_gives_the_regions_three_rds_roots(string region)
    {
        var bundle = RdsCaBundle.For(region, overrideFile: null);

        var names = bundle.Certificates.Select(c => c.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false)).Order().ToList();
        Assert.Equal(new[] { $"Amazon RDS {region} Root CA ECC384 G1", $"Amazon RDS {region} Root CA RSA2048 G1", $"Amazon RDS {region} Root CA RSA4096 G1" }, names);
        Assert.All(bundle.Certificates, c => Assert.Equal(c.Subject, c.Issuer));
    }

    [Fact]
    public void The_shipped_bundle_is_the_file_whose_provenance_the_readme_records()
    {
        var pem = File.ReadAllBytes(Path.Combine(RepositoryRoot(), "src", "RdsStack.Tool", "Certificates", "rds-global-bundle.pem"));
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "RdsStack.Tool", "README.md"));

        Assert.Contains($"SHA-256 `{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pem))}`", readme);
        Assert.Equal(102, RdsCaBundle.ShippedGlobalBundle().Count);
        Assert.All(RdsCaBundle.ShippedGlobalBundle(), c => Assert.True(c.NotAfter > DateTime.UtcNow, $"{c.Subject} expired {c.NotAfter:u}"));
    }

    [Fact]
    public void An_unknown_region_is_refused()
    {
        var error = Assert.Throws<ToolException>(() => RdsCaBundle.For("xx-nowhere-1", overrideFile: null));
        Assert.Contains("no RDS root CA for region 'xx-nowhere-1'", error.Message);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RdsStack.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
