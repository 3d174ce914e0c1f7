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
    /// The database users the operators may log in as, each by name (for example the people of this environment in
    /// <c>config/database-users.json</c>). Each gets its own <c>rds-db:connect</c> statement on
    /// <c>dbuser:&lt;DbiResourceId&gt;/&lt;name&gt;</c> with the condition <c>StringEquals
    /// aws:PrincipalTag/&lt;DatabaseUserTag&gt; = &lt;name&gt;</c>: a caller logs in only as the one name their tag
    /// carries, and only when that name is listed here; a tag naming anyone else matches nothing. Names are PostgreSQL
    /// user names (lowercase letters, digits and underscores, starting with a letter, at most 63), each once, at most
    /// <see cref="MaxAllowedDatabaseUsers"/>, never one of <see cref="ExcludedDatabaseUsers"/>.
    /// Default: none, and then the policy has no <c>rds-db:connect</c> statement at all (nobody logs in with it).
    /// </summary>
    public IReadOnlyList<string> AllowedDatabaseUsers { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The principal tag that must name the caller's database user: <c>rds-db:connect</c> as a name in
    /// <see cref="AllowedDatabaseUsers"/> is allowed only when <c>aws:PrincipalTag/&lt;key&gt;</c> equals that name.
    /// IAM Identity Center passes it as an attribute for access control; on IAM roles it is a role or session tag, and
    /// then the tag key must be protected (an SCP denying <c>iam:TagRole</c>/<c>iam:TagUser</c>/<c>sts:TagSession</c>
    /// with it in <c>aws:TagKeys</c>), or anyone able to tag themselves picks any listed name.
    /// Default <see cref="DefaultDatabaseUserTag"/>.
    /// </summary>
    public string DatabaseUserTag { get; init; } = DefaultDatabaseUserTag;

    /// <summary>
    /// Database users no operator may ever connect as (the master and application users): listing one of them in
    /// <see cref="AllowedDatabaseUsers"/> is refused at synth. Default: none.
    /// </summary>
    public IReadOnlyList<string> ExcludedDatabaseUsers { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The most <see cref="AllowedDatabaseUsers"/> one policy holds: a customer-managed policy is at most 6,144
    /// characters, each person's statement takes up to about 310 (a 32-character name in the longest ARN) and the rest
    /// of the policy up to about 700, which leaves room for a few more parameters.
    /// </summary>
    public const int MaxAllowedDatabaseUsers = 16;

    /// <summary>The default <see cref="DatabaseUserTag"/>.</summary>
    public const string DefaultDatabaseUserTag = "rdsstack-user";
}
