using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Authentication;
using Npgsql;

namespace RdsStack.Tool;

/// <summary>
/// Opens Npgsql connections through the tunnel with libpq's <c>verify-full</c> semantics: TCP to 127.0.0.1 (the
/// tunnel), TLS required, the certificate chained to <see cref="RdsCaBundle"/> and issued for the real endpoint name.
/// Failures become messages that say what to do.
/// </summary>
public sealed class DatabaseConnector(ConnectionFacts facts, SshTunnel tunnel, RdsCaBundle ca)
{
    /// <summary>Opens a connection as <paramref name="user"/> with <paramref name="password"/> (an IAM token or the master password).</summary>
    public async Task<NpgsqlConnection> OpenAsync(string user, string password, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = tunnel.LocalPort,
            Database = facts.Database.Name,
            Username = user,
            Password = password,
            SslMode = SslMode.Require,
            ApplicationName = "rdsstack",
            Timeout = 30,
            Pooling = false,
        };
        var source = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        string? tlsProblem = null;
        source.UseSslClientAuthenticationOptionsCallback(options =>
            options.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                var ok = ca.Verify(certificate, chain, facts.Database.Endpoint, out var problem);
                tlsProblem = ok ? null : problem;
                return ok;
            });
        await using var dataSource = source.Build();
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (tlsProblem is not null)
        {
            throw new ToolException($"REFUSED: TLS verification (verify-full) failed: {tlsProblem}. Nothing was sent to this server.", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidAuthorizationSpecification && e.MessageText.Contains("not permitted to log in", StringComparison.Ordinal))
        {
            throw new ToolException(
                $"The database refused '{user}': {e.MessageText}.\n" +
                $"  '{user}' is disabled (NOLOGIN): users sync disables a login that is no longer in config/database-users.json. To restore it, declare '{user}' again and an administrator runs: rdsstack users sync {facts.StackName}",
                e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new ToolException(
                $"The database refused '{user}': {e.MessageText}.\n" +
                $"  Most likely your database user does not exist yet: add '{user}' to config/database-users.json, and an administrator runs: rdsstack users sync {facts.StackName}\n" +
                $"  Otherwise your IAM identity lacks rds-db:connect on dbuser:{facts.Database.ResourceId ?? "<resource id>"}/{user}, or the token was made for another region or user.",
                e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.CannotConnectNow)
        {
            throw new ToolException($"The database is starting up ({e.MessageText}). Try again in a minute.", e);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or SocketException or AuthenticationException && tunnel.ForwardFailed)
        {
            throw new ToolException(DatabaseUnreachable(), e);
        }
        catch (NpgsqlException e) when (e.InnerException is IOException or EndOfStreamException or SocketException)
        {
            throw new ToolException(DatabaseUnreachable(), e);
        }
    }

    /// <summary>The message when the bastion cannot reach the database.</summary>
    public string DatabaseUnreachable()
    {
        var instance = facts.Database.Endpoint.Split('.')[0];
        return $"The bastion could not reach the database at {facts.Database.Endpoint}:{facts.Database.Port}: it is stopped, starting, or being modified.\n" +
            $"  Check:  aws rds describe-db-instances --db-instance-identifier {instance} --region {facts.Region} --query \"DBInstances[0].DBInstanceStatus\"\n" +
            $"  Start:  aws rds start-db-instance --db-instance-identifier {instance} --region {facts.Region}   (a few minutes until 'available')";
    }

    /// <summary>Runs one statement and returns its rows as tab-separated lines (no header), plus its duration.</summary>
    public static async Task<(IReadOnlyList<string> Rows, TimeSpan Elapsed)> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new string[reader.FieldCount];
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    values[i] = reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                }

                rows.Add(string.Join('\t', values));
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return (rows, stopwatch.Elapsed);
    }
}
