using Npgsql;

namespace RdsStack.Tool;

/// <summary>
/// Makes the database's login roles match a <see cref="UsersDeclaration"/>, as the master user: creates the group
/// roles if missing, creates missing IAM-authenticated logins (<c>CREATE ROLE x LOGIN; GRANT rds_iam TO x</c>),
/// grants the declared group and revokes the other managed groups, and revokes group membership from logins no
/// longer declared. It never drops a role or any data; logins it does not manage are reported, not touched.
/// Everything runs in one transaction and is idempotent: a second run reports no changes.
/// </summary>
public sealed class UsersSync(NpgsqlConnection connection, string masterUsername)
{
    /// <summary>The result of one run.</summary>
    /// <param name="Changes">What was changed, one line each.</param>
    /// <param name="Notes">What was noticed but left alone.</param>
    public sealed record Result(IReadOnlyList<string> Changes, IReadOnlyList<string> Notes);

    /// <summary>Applies <paramref name="declaration"/> (or only plans it when <paramref name="dryRun"/>).</summary>
    public async Task<Result> RunAsync(UsersDeclaration declaration, bool dryRun, CancellationToken cancellationToken)
    {
        var changes = new List<string>();
        var notes = new List<string>();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var roles = await QueryAsync("select rolname, rolcanlogin::text from pg_roles", cancellationToken);
        var canLogin = roles.ToDictionary(r => r[0], r => r[1] == "true", StringComparer.Ordinal);
        var memberships = (await QueryAsync(
            "select distinct r.rolname, m.rolname from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member",
            cancellationToken)).Select(r => (Role: r[0], Member: r[1])).ToHashSet();
        var database = (await QueryAsync("select current_database()", cancellationToken))[0][0];

        if (!canLogin.ContainsKey("rds_iam"))
        {
            throw new ToolException("The database has no rds_iam role: IAM database authentication is not available here (is this an RDS instance?). Nothing was changed.");
        }

        foreach (var group in UsersDeclaration.GroupRoles.Keys)
        {
            if (canLogin.ContainsKey(group))
            {
                continue;
            }

            await ExecuteAsync($"create role {Quote(group)} nologin", cancellationToken);
            foreach (var grant in GroupGrants(group, database))
            {
                await ExecuteAsync(grant, cancellationToken);
            }

            changes.Add($"created group role {group}: {UsersDeclaration.GroupRoles[group]}");
        }

        foreach (var (login, group) in declaration.Logins.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (!canLogin.TryGetValue(login, out var loginAllowed))
            {
                await ExecuteAsync($"create role {Quote(login)} login", cancellationToken);
                changes.Add($"created login {login} (IAM authentication)");
            }
            else if (!loginAllowed)
            {
                await ExecuteAsync($"alter role {Quote(login)} login", cancellationToken);
                changes.Add($"allowed {login} to log in");
            }

            if (!memberships.Contains(("rds_iam", login)))
            {
                await ExecuteAsync($"grant rds_iam to {Quote(login)}", cancellationToken);
                changes.Add($"granted rds_iam to {login}");
            }

            if (!memberships.Contains((group, login)))
            {
                await ExecuteAsync($"grant {Quote(group)} to {Quote(login)}", cancellationToken);
                changes.Add($"granted {group} to {login}");
            }

            foreach (var other in UsersDeclaration.GroupRoles.Keys.Where(g => g != group && memberships.Contains((g, login))))
            {
                await ExecuteAsync($"revoke {Quote(other)} from {Quote(login)}", cancellationToken);
                changes.Add($"revoked {other} from {login}");
            }
        }

        // PostgreSQL 16+ makes the creating (non-superuser) role an ADMIN member of every role it creates: the
        // master user's memberships are how it administers them, so they are never revoked.
        foreach (var (role, member) in memberships.Where(m => UsersDeclaration.GroupRoles.ContainsKey(m.Role) && !declaration.Logins.ContainsKey(m.Member) && !UsersDeclaration.GroupRoles.ContainsKey(m.Member) && m.Member != masterUsername).OrderBy(m => m.Member, StringComparer.Ordinal))
        {
            await ExecuteAsync($"revoke {Quote(role)} from {Quote(member)}", cancellationToken);
            changes.Add($"revoked {role} from {member} (no longer declared; the login itself is kept)");
        }

        foreach (var extra in canLogin.Where(r => r.Value && !declaration.Logins.ContainsKey(r.Key) && r.Key != masterUsername && !r.Key.StartsWith("rds", StringComparison.Ordinal) && !r.Key.StartsWith("pg_", StringComparison.Ordinal)).Select(r => r.Key).Order(StringComparer.Ordinal))
        {
            notes.Add($"login {extra} is not declared in {declaration.Environment}: not managed, left as it is");
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
