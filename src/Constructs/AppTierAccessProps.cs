using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="AppTierAccess"/>.</summary>
public sealed class AppTierAccessProps
{
    /// <summary>The VPC of the application tier.</summary>
    public required IVpc Vpc { get; init; }

    /// <summary>The database the application reaches.</summary>
    public required PostgresDatabase Database { get; init; }

    /// <summary>
    /// An existing application security group to admit (it is not modified). Default: a new group that
    /// allows egress only to the database port and HTTPS.
    /// </summary>
    public ISecurityGroup? ExistingSecurityGroup { get; init; }

    /// <summary>The IAM-authenticated database user the application logs in as. Default <c>app_user</c>.</summary>
    public string DatabaseUser { get; init; } = "app_user";

    /// <summary>Who assumes the example application role. Default: ECS tasks of this account and region (<c>aws:SourceAccount</c>, <c>aws:SourceArn</c>).</summary>
    public IPrincipal? RolePrincipal { get; init; }

    /// <summary>
    /// Also grant reading the master credentials. Default false: the application logs in with IAM auth and
    /// needs no password; the master secret is for administration and migrations.
    /// </summary>
    public bool ReadMasterCredentials { get; init; }
}
