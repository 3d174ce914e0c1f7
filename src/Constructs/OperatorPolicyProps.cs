namespace RdsStack.Library;

/// <summary>Properties of <see cref="OperatorPolicy"/>.</summary>
public sealed class OperatorPolicyProps
{
    /// <summary>The database the operators connect to as their own IAM database user.</summary>
    public required PostgresDatabase Database { get; init; }

    /// <summary>The bastion whose tunnel document they may start. Default null: the environment has no bastion, so no session statement.</summary>
    public BastionHost? Bastion { get; init; }

    /// <summary>
    /// The SSM parameters the connect walkthrough reads (for example <c>/rdsstack/&lt;stack&gt;/connection</c>), by name.
    /// The bastion's host-keys parameter and, where EC2 generated one, its private-key parameter are added. Default: none.
    /// </summary>
    public IReadOnlyList<string> ReadableParameterNames { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The principal tag that names the caller's database user: <c>rds-db:connect</c> is allowed only as
    /// <c>${aws:PrincipalTag/&lt;key&gt;}</c>. IAM Identity Center passes it as an attribute for access control; on IAM
    /// roles it is a role or session tag. Default <see cref="DefaultDatabaseUserTag"/>.
    /// </summary>
    public string DatabaseUserTag { get; init; } = DefaultDatabaseUserTag;

    /// <summary>Database users no operator may connect as even if their tag says so (the master and application users). Default: none.</summary>
    public IReadOnlyList<string> ExcludedDatabaseUsers { get; init; } = Array.Empty<string>();

    /// <summary>The default <see cref="DatabaseUserTag"/>.</summary>
    public const string DefaultDatabaseUserTag = "rdsstack-user";
}
