using System.Text.Json.Nodes;
using RdsStack.App;
using RdsStack.Library;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// <c>config/database-users.json</c> decides whom the operator policy lets log in: each declared person only with their
/// own principal tag, nobody undeclared, the master and application users never; a bad file stops synthesis naming the
/// file and the JSON path.
/// </summary>
public sealed class DatabaseUsersTests : IClassFixture<DatabaseUsersTests.DeclaredPeopleApp>
{
    private readonly DeclaredPeopleApp app;

    public DatabaseUsersTests(DeclaredPeopleApp app) => this.app = app;

    /// <summary>dev declares alice and bob, staging the most people one policy holds (longest names), prod nobody.</summary>
    public sealed class DeclaredPeopleApp : SynthesizedApp
    {
        public static readonly string[] StagingPeople = Enumerable.Range(0, OperatorPolicyProps.MaxAllowedDatabaseUsers)
            .Select(i => $"person{i:D2}".PadRight(32, 'x'))
            .ToArray();

        public DeclaredPeopleApp()
            : base(new Dictionary<string, object> { [DeploymentContext.ConfigDirKey] = ConfigWith(Declaration(StagingPeople)) })
        {
        }

        public static string Declaration(IEnumerable<string> stagingPeople) => new JsonObject
        {
            ["dev"] = new JsonObject
            {
                ["application"] = new JsonObject { ["app_user"] = "readwrite" },
                ["people"] = new JsonObject { ["bob"] = "readonly", ["alice"] = "owner" },
            },
            ["staging"] = new JsonObject { ["people"] = new JsonObject(stagingPeople.Select(p => KeyValuePair.Create(p, (JsonNode?)JsonValue.Create("readonly")))) },
            ["prod"] = new JsonObject { ["people"] = new JsonObject() },
        }.ToJsonString();
    }

    /// <summary>A copy of the committed configuration with <paramref name="databaseUsers"/> as database-users.json.</summary>
    public static string ConfigWith(string databaseUsers)
    {
        var directory = Directory.CreateTempSubdirectory("rdsstack-config-").FullName;
        foreach (var file in Directory.GetFiles(CdkJson.ConfigDirectory, "*.json"))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(directory, DatabaseUsersConfiguration.FileName), databaseUsers);
        return directory;
    }

    private List<JsonObject> Statements(string stack)
    {
        var policy = app[stack].Resources("AWS::IAM::ManagedPolicy").Single(p => p.Resource.Props()["Roles"] is null).Resource;
        return policy.Props()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();
    }

    /// <summary>
    /// IAM's answer for rds-db:connect as <paramref name="user"/> by a caller tagged <paramref name="tag"/>, for
    /// these statements (Allow only, one dbuser resource and one StringEquals tag test each, as the policy writes them).
    /// </summary>
    private static bool Allows(IEnumerable<JsonObject> statements, string? tag, string user) =>
        OperatorPolicyTests.ConnectStatements(statements).Any(c => c.User == user && tag is not null && c.TagValue == tag);

    [Fact]
    public void Each_declared_person_logs_in_as_themselves_only()
    {
        var statements = Statements("RdsStack-dev");
        Assert.Equal(new[] { "alice", "bob" }, OperatorPolicyTests.ConnectStatements(statements).Select(c => c.User));
        Assert.True(Allows(statements, "alice", "alice"));
        Assert.True(Allows(statements, "bob", "bob"));
        Assert.False(Allows(statements, "alice", "bob"));
        Assert.False(Allows(statements, "bob", "alice"));
        Assert.False(Allows(statements, null, "alice"));
    }

    [Theory]
    [InlineData("mallory")]
    [InlineData("dbadmin")]
    [InlineData("app_user")]
    [InlineData("Alice")]
    public void A_tag_naming_an_undeclared_user_allows_nothing(string name)
    {
        var statements = Statements("RdsStack-dev");
        Assert.False(Allows(statements, name, name));
        Assert.DoesNotContain(statements, s => s["Resource"]!.ToJsonString().Contains($"/{name}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Environments_declaring_nobody_have_no_rds_db_connect_statement()
    {
        Assert.DoesNotContain(Statements("RdsStack-prod"), s => s.ToJsonString().Contains("rds-db:connect", StringComparison.Ordinal));
    }

    [Fact]
    public void The_most_people_one_policy_holds_stay_within_the_managed_policy_size_quota()
    {
        var statements = Statements("RdsStack-staging");
        Assert.Equal(DeclaredPeopleApp.StagingPeople, OperatorPolicyTests.ConnectStatements(statements).Select(c => c.User));
        var template = app["RdsStack-staging"];
        var id = template.Resources("AWS::IAM::ManagedPolicy").Single(p => p.Resource.Props()["Roles"] is null).Id;
        var document = WorstCase(template.Resource(id).Props()["PolicyDocument"]!, template);
        // IAM counts a managed policy's characters without whitespace; the compact JSON has none outside strings.
        Assert.InRange(document.ToJsonString().Length, 1, 6144);
    }

    [Fact]
    public void More_people_than_one_policy_holds_are_refused_at_synth()
    {
        var people = DeclaredPeopleApp.StagingPeople.Append("one_too_many");
        var built = CdkJson.NewApp(new Dictionary<string, object> { [DeploymentContext.ConfigDirKey] = ConfigWith(DeclaredPeopleApp.Declaration(people)) });
        var error = Assert.Throws<InvalidSettingException>(() => RdsStackApp.Build(built));
        Assert.Equal("allowedDatabaseUsers", error.Setting);
    }

    [Theory]
    [InlineData("""{ "dev": { "people": { "alice": "admin" } } }""", "$.dev.people.alice", "admin")]
    [InlineData("""{ "dev": { "people": { "Alice": "owner" } } }""", "$.dev.people.Alice", "Alice")]
    [InlineData("""{ "dev": { "people": { "app_user": "readwrite" } } }""", "$.dev.people.app_user", "app_user")]
    [InlineData("""{ "dev": { "people": { "dbadmin": "owner" } } }""", "$.dev.people.dbadmin", "dbadmin")]
    [InlineData("""{ "dev": { "people": { "rdsadmin": "owner" } } }""", "$.dev.people.rdsadmin", "rdsadmin")]
    [InlineData("""{ "dev": { "application": { "x": "readwrite" }, "people": { "x": "owner" } } }""", "$.dev.people.x", "x")]
    [InlineData("""{ "dev": { "admins": {} } }""", "$.dev.admins", "{}")]
    [InlineData("""{ "dev": { "people": [ "alice" ] } }""", "$.dev.people", "[ \"alice\" ]")]
    [InlineData("""{ "qa": { "people": {} } }""", "$.qa", "qa")]
    [InlineData("""[]""", "$", "Array")]
    public void A_bad_declaration_is_refused_naming_the_file_and_json_path(string json, string jsonPath, string value)
    {
        var directory = ConfigWith(json);
        var file = Path.Combine(directory, DatabaseUsersConfiguration.FileName);
        var error = Assert.Throws<InvalidSettingException>(() => DatabaseUsersConfiguration.Load(directory, EnvironmentPresets.All));
        Assert.Equal($"{file}: {jsonPath}", error.Setting);
        Assert.Equal(value, error.Value);
    }

    [Fact]
    public void A_declaration_that_is_not_json_stops_synthesis_before_any_stack_is_built()
    {
        var directory = ConfigWith("{ \"dev\": ");
        var built = CdkJson.NewApp(new Dictionary<string, object> { [DeploymentContext.ConfigDirKey] = directory });
        var error = Assert.Throws<InvalidSettingException>(() => RdsStackApp.Build(built));
        Assert.Equal(Path.Combine(directory, DatabaseUsersConfiguration.FileName), error.Setting);
        Assert.Empty(built.Node.Children.OfType<Amazon.CDK.Stack>());
    }

    [Fact]
    public void The_committed_declaration_is_valid_and_a_missing_file_declares_nobody()
    {
        var committed = DatabaseUsersConfiguration.Load(CdkJson.ConfigDirectory, EnvironmentPresets.All);
        Assert.All(EnvironmentPresets.All, e => Assert.Equal(OperatorPolicyTests.CommittedPeople(e.Name), committed.PeopleOf(e.Name)));
        var empty = Directory.CreateTempSubdirectory("rdsstack-config-").FullName;
        Assert.All(EnvironmentPresets.All, e => Assert.Empty(DatabaseUsersConfiguration.Load(empty, EnvironmentPresets.All).PeopleOf(e.Name)));
    }

    /// <summary>
    /// The policy document with every CloudFormation value at its longest: partition aws-us-gov, a 14-character region,
    /// a 26-character DbiResourceId, a 128-character document name (SSM's maximum), a 19-character instance id.
    /// </summary>
    private static JsonNode WorstCase(JsonNode node, JsonObject template) => node switch
    {
        JsonArray array => new JsonArray(array.Select(n => (JsonNode?)WorstCase(n!, template)).ToArray()),
        JsonObject o when o["Fn::Join"] is JsonArray join => JsonValue.Create(string.Join(join[0].Str(), join[1]!.AsArray().Select(p => WorstCase(p!, template).Str())))!,
        JsonObject o when o["Ref"]?.Str() is { } target => JsonValue.Create(target switch
        {
            "AWS::Partition" => "aws-us-gov",
            "AWS::Region" => "ap-southeast-2",
            "AWS::AccountId" => "123456789012",
            _ when template.Resource(target)["Type"].Str() == "AWS::EC2::Instance" => "i-0123456789abcdef0",
            _ when template.Resource(target)["Type"].Str() == "AWS::SSM::Document" => new string('d', 128),
            _ => throw new InvalidOperationException($"no worst case for Ref {target}"),
        })!,
        JsonObject o when o["Fn::GetAtt"] is JsonArray att && att[1].Str() == "DbiResourceId" => JsonValue.Create("db-" + new string('A', 26))!,
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)WorstCase(p.Value!, template)))),
        _ => node.DeepClone(),
    };
}
