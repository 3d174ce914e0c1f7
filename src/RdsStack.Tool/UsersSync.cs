using Npgsql;

namespace RdsStack.Tool;

/// <summary>
/// Makes the database's login roles match a <see cref="UsersDeclaration"/>, as the master user: creates the group
/// roles if missing, creates missing IAM-authenticated logins (<c>CREATE ROLE x LOGIN; GRANT rds_iam TO x</c>),
/// grants the declared group and revokes the other managed groups. A login the tool manages that is no longer
/// declared is disabled: its managed groups and <c>rds_iam</c> are revoked and it becomes <c>NOLOGIN</c>, so an IAM
/// token no longer lets it in; declaring it again restores LOGIN, <c>rds_iam</c> and its group. It never drops a
/// role or any data; logins it does not manage are reported, not touched. Everything runs in one transaction and is
/// idempotent: a second run reports no changes.
/// </summary>
public sealed class UsersSync(NpgsqlConnection connection, string masterUsername)
{
    /// <summary>The result of one run.</summary>
    /// <param name="Changes">What was changed, one line each.</param>
    /// <param name="Notes">What was noticed but left alone.</param>
    public sealed record Result(IReadOnlyList<string> Changes, IReadOnlyList<string> Notes);

    /// <summary>One change: the statements that make it, and the line that reports it.</summary>
    public sealed record Step(IReadOnlyList<string> Sql, string Change);

    /// <summary>What a run will do, computed from the roles and memberships alone (no database needed).</summary>
    public sealed record Plan(IReadOnlyList<Step> Steps, IReadOnlyList<string> Notes);

    /// <summary>Applies <paramref name="declaration"/> (or only plans it when <paramref name="dryRun"/>).</summary>
    public async Task<Result> RunAsync(UsersDeclaration declaration, bool dryRun, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var roles = await QueryAsync("select rolname, rolcanlogin::text from pg_roles", cancellationToken);
        var canLogin = roles.ToDictionary(r => r[0], r => r[1] == "true", StringComparer.Ordinal);
        var memberships = (await QueryAsync(
            "select distinct r.rolname, m.rolname from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member",
            cancellationToken)).Select(r => (Role: r[0], Member: r[1])).ToHashSet();
        var database = (await QueryAsync("select current_database()", cancellationToken))[0][0];

        var plan = PlanChanges(declaration, masterUsername, database, canLogin, memberships);
        var changes = new List<string>();
        var notes = new List<string>(plan.Notes);
        foreach (var step in plan.Steps)
        {
            foreach (var sql in step.Sql)
            {
                await ExecuteAsync(sql, cancellationToken);
            }

            changes.Add(step.Change);
        }

        await EnsurePgAuditAsync(changes, notes, cancellationToken);

        if (dryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
        }
        else
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return new Result(changes, notes);
    }

    /// <summary>
    /// The changes that make the roles match <paramref name="declaration"/>, given every role and whether it may
    /// log in (<paramref name="canLogin"/>) and every (role, member) pair (<paramref name="memberships"/>).
    /// </summary>
    public static Plan PlanChanges(
        UsersDeclaration declaration,
        string masterUsername,
        string database,
        IReadOnlyDictionary<string, bool> canLogin,
        IReadOnlySet<(string Role, string Member)> memberships)
    {
        var steps = new List<Step>();
        var notes = new List<string>();
        if (!canLogin.ContainsKey("rds_iam"))
        {
            throw new ToolException("The database has no rds_iam role: IAM database authentication is not available here (is this an RDS instance?). Nothing was changed.");
        }

        foreach (var group in UsersDeclaration.GroupRoles.Keys.Where(g => !canLogin.ContainsKey(g)))
        {
            steps.Add(new Step(
                new[] { $"create role {Quote(group)} nologin" }.Concat(GroupGrants(group, database)).ToList(),
                $"created group role {group}: {UsersDeclaration.GroupRoles[group]}"));
        }

        foreach (var (login, group) in declaration.Logins.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (!canLogin.TryGetValue(login, out var loginAllowed))
            {
                steps.Add(new Step(new[] { $"create role {Quote(login)} login" }, $"created login {login} (IAM authentication)"));
            }
            else if (!loginAllowed)
            {
                steps.Add(new Step(new[] { $"alter role {Quote(login)} login" }, $"allowed {login} to log in"));
            }

            if (!memberships.Contains(("rds_iam", login)))
            {
                steps.Add(new Step(new[] { $"grant rds_iam to {Quote(login)}" }, $"granted rds_iam to {login}"));
            }

            if (!memberships.Contains((group, login)))
            {
                steps.Add(new Step(new[] { $"grant {Quote(group)} to {Quote(login)}" }, $"granted {group} to {login}"));
            }

            foreach (var other in UsersDeclaration.GroupRoles.Keys.Where(g => g != group && memberships.Contains((g, login))))
            {
                steps.Add(new Step(new[] { $"revoke {Quote(other)} from {Quote(login)}" }, $"revoked {other} from {login}"));
            }
        }

        // Managed but no longer declared: a member of a managed group or of rds_iam (what users sync grants to
        // every login it creates). Such a login keeps its role and everything it owns, but loses its groups,
        // rds_iam (no IAM token is accepted) and LOGIN (no password is accepted either).
        foreach (var login in ManagedUndeclared(declaration, masterUsername, memberships))
        {
            foreach (var group in UsersDeclaration.GroupRoles.Keys.Where(g => memberships.Contains((g, login))))
            {
                steps.Add(new Step(new[] { $"revoke {Quote(group)} from {Quote(login)}" }, $"revoked {group} from {login} (no longer declared)"));
            }

            if (memberships.Contains(("rds_iam", login)))
            {
                steps.Add(new Step(new[] { $"revoke rds_iam from {Quote(login)}" }, $"revoked rds_iam from {login} (no longer declared: IAM tokens are refused)"));
            }

            if (canLogin.TryGetValue(login, out var allowed) && allowed)
            {
                steps.Add(new Step(new[] { $"alter role {Quote(login)} nologin" }, $"disabled login {login} (NOLOGIN; the role and its objects are kept, declare it again to restore)"));
            }
        }

        var managed = ManagedUndeclared(declaration, masterUsername, memberships).ToHashSet(StringComparer.Ordinal);
        foreach (var extra in canLogin.Where(r => r.Value && !declaration.Logins.ContainsKey(r.Key) && !managed.Contains(r.Key) && !IsReserved(r.Key, masterUsername)).Select(r => r.Key).Order(StringComparer.Ordinal))
        {
            notes.Add($"login {extra} is not declared in {declaration.Environment}: not managed, left as it is");
        }

        return new Plan(steps, notes);
    }

    /// <summary>
    /// Roles the tool manages that are not declared: members of a managed group or of rds_iam, other than the master
    /// user (PostgreSQL 16+ makes it an ADMIN member of every role it creates: that is how it administers them), the
    /// group roles themselves and the rds*/pg_* built-in roles.
    /// </summary>
    private static IEnumerable<string> ManagedUndeclared(UsersDeclaration declaration, string masterUsername, IReadOnlySet<(string Role, string Member)> memberships) =>
        memberships
            .Where(m => (UsersDeclaration.GroupRoles.ContainsKey(m.Role) || m.Role == "rds_iam") && !declaration.Logins.ContainsKey(m.Member) && !IsReserved(m.Member, masterUsername))
            .Select(m => m.Member)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private static bool IsReserved(string role, string masterUsername) =>
        role == masterUsername || UsersDeclaration.GroupRoles.ContainsKey(role) || role.StartsWith("rds", StringComparison.Ordinal) || role.StartsWith("pg_", StringComparison.Ordinal);

    /// <summary>The privileges a group role gets when it is created.</summary>
    public static IEnumerable<string> GroupGrants(string group, string database) => group switch
    {
        "readonly" => new[] { "grant pg_read_all_data to readonly" },
        "readwrite" => new[] { "grant pg_read_all_data to readwrite", "grant pg_write_all_data to readwrite" },
        "owner" => new[] { "grant readwrite to owner", $"grant create, temporary on database {Quote(database)} to owner", "grant create on schema public to owner" },
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a managed group role"),
    };

    private async Task EnsurePgAuditAsync(List<string> changes, List<string> notes, CancellationToken cancellationToken)
    {
        var state = (await QueryAsync(
            "select exists(select 1 from pg_extension where extname = 'pgaudit')::text, exists(select 1 from pg_available_extensions where name = 'pgaudit')::text, current_setting('shared_preload_libraries')",
            cancellationToken))[0];
        if (state[0] == "true")
        {
            return;
        }

        if (state[1] == "true" && state[2].Split(',', StringSplitOptions.TrimEntries).Contains("pgaudit"))
        {
            await ExecuteAsync("create extension if not exists pgaudit", cancellationToken);
            changes.Add("created extension pgaudit (audit logging of role and DDL statements, passwords redacted)");
        }
        else
        {
            notes.Add("pgaudit is not in shared_preload_libraries: extension not created (the parameter group loads it)");
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<List<string[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.GetString(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
