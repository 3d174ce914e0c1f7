namespace RdsStack.Tool.Tests;

/// <summary>users sync planning: what changes for a given set of roles and memberships, without a database.</summary>
public sealed class UsersSyncPlanTests
{
    private const string Master = "dbadmin";

    private static readonly string[] Groups = { "readonly", "readwrite", "owner" };

    [Fact]
    public void A_fresh_database_gets_the_groups_and_iam_logins()
    {
        var plan = Plan(Declare(("alice", "owner")), new Dictionary<string, bool> { ["rds_iam"] = false, [Master] = true }, Members());

        Assert.Equal(
            new[]
            {
                "created group role readonly: read every table and view (pg_read_all_data)",
                "created group role readwrite: read and write every table (pg_read_all_data, pg_write_all_data)",
                "created group role owner: readwrite, plus create schemas and objects (CREATE on the database and schema public)",
                "created login alice (IAM authentication)",
                "granted rds_iam to alice",
                "granted owner to alice",
            },
            plan.Steps.Select(s => s.Change));
        Assert.Contains("create role \"alice\" login", plan.Steps.SelectMany(s => s.Sql));
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void A_database_that_matches_needs_no_change()
    {
        var plan = Plan(Declare(("alice", "owner")), Roles(("alice", true)), Members(("owner", "alice"), ("rds_iam", "alice")));

        Assert.Empty(plan.Steps);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void A_person_no_longer_declared_loses_the_group_rds_iam_and_login_but_keeps_the_role()
    {
        var plan = Plan(
            Declare(("alice", "owner")),
            Roles(("alice", true), ("frank", true)),
            Members(("owner", "alice"), ("rds_iam", "alice"), ("readonly", "frank"), ("rds_iam", "frank")));

        Assert.Equal(
            new[]
            {
                "revoked readonly from frank (no longer declared)",
                "revoked rds_iam from frank (no longer declared: IAM tokens are refused)",
                "disabled login frank (NOLOGIN; the role and its objects are kept, declare it again to restore)",
            },
            plan.Steps.Select(s => s.Change));
        Assert.Equal(new[] { "revoke \"readonly\" from \"frank\"", "revoke rds_iam from \"frank\"", "alter role \"frank\" nologin" }, plan.Steps.SelectMany(s => s.Sql));
        Assert.DoesNotContain(plan.Steps.SelectMany(s => s.Sql), sql => sql.Contains("drop", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void A_login_left_with_only_rds_iam_is_managed_and_disabled()
    {
        var plan = Plan(Declare(("alice", "owner")), Roles(("alice", true), ("frank", true)), Members(("owner", "alice"), ("rds_iam", "alice"), ("rds_iam", "frank")));

        Assert.Equal(new[] { "revoke rds_iam from \"frank\"", "alter role \"frank\" nologin" }, plan.Steps.SelectMany(s => s.Sql));
    }

    [Fact]
    public void A_disabled_login_is_left_alone_on_the_next_run()
    {
        var plan = Plan(Declare(("alice", "owner")), Roles(("alice", true), ("frank", false)), Members(("owner", "alice"), ("rds_iam", "alice")));

        Assert.Empty(plan.Steps);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void Declaring_a_disabled_person_again_restores_login_rds_iam_and_the_group()
    {
        var plan = Plan(Declare(("alice", "owner"), ("frank", "readonly")), Roles(("alice", true), ("frank", false)), Members(("owner", "alice"), ("rds_iam", "alice")));

        Assert.Equal(new[] { "allowed frank to log in", "granted rds_iam to frank", "granted readonly to frank" }, plan.Steps.Select(s => s.Change));
        Assert.Equal(new[] { "alter role \"frank\" login", "grant rds_iam to \"frank\"", "grant \"readonly\" to \"frank\"" }, plan.Steps.SelectMany(s => s.Sql));
    }

    [Fact]
    public void The_master_user_builtin_roles_and_unmanaged_logins_are_not_touched()
    {
        // PostgreSQL 16+: the master user is an ADMIN member of the groups it created. On RDS, rds_superuser and
        // rdsadmin hold memberships too. "legacy" is a login the tool never managed (no group, no rds_iam).
        var plan = Plan(
            Declare(("alice", "owner")),
            Roles(("alice", true), ("legacy", true), ("rdsadmin", true), ("rds_superuser", false), ("pg_monitor", false)),
            Members(("owner", "alice"), ("rds_iam", "alice"), ("owner", Master), ("readonly", Master), ("rds_iam", Master), ("rds_superuser", Master), ("rds_iam", "rds_superuser"), ("readwrite", "owner"), ("pg_monitor", "legacy")));

        Assert.Empty(plan.Steps);
        Assert.Equal(new[] { "login legacy is not declared in dev: not managed, left as it is" }, plan.Notes);
    }

    [Fact]
    public void Without_rds_iam_nothing_is_planned()
    {
        var error = Assert.Throws<ToolException>(() => UsersSync.PlanChanges(Declare(("alice", "owner")), Master, "app", new Dictionary<string, bool> { [Master] = true }, Members()));

        Assert.Contains("no rds_iam role", error.Message);
    }

    private static UsersSync.Plan Plan(UsersDeclaration declaration, Dictionary<string, bool> roles, HashSet<(string Role, string Member)> members) =>
        UsersSync.PlanChanges(declaration, Master, "app", roles, members);

    private static UsersDeclaration Declare(params (string Name, string Role)[] people) =>
        UsersDeclaration.Parse(
            "{ \"dev\": { \"people\": { " + string.Join(", ", people.Select(p => $"\"{p.Name}\": \"{p.Role}\"")) + " } } }",
            "config/database-users.json",
            "dev",
            Master);

    /// <summary>The given roles, plus (unless listed) the master user, rds_iam and the three group roles.</summary>
    private static Dictionary<string, bool> Roles(params (string Name, bool CanLogin)[] roles)
    {
        var all = new Dictionary<string, bool>(StringComparer.Ordinal) { [Master] = true, ["rds_iam"] = false };
        foreach (var group in Groups)
        {
            all[group] = false;
        }

        foreach (var (name, canLogin) in roles)
        {
            all[name] = canLogin;
        }

        return all;
    }

    private static HashSet<(string Role, string Member)> Members(params (string Role, string Member)[] pairs) => pairs.ToHashSet();
}
