using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// What an application needs to reach the database and nothing else: its security group admitted to the
/// database port (group to group, never by address), and an IAM role allowed <c>rds-db:connect</c> as
/// exactly one database user of exactly this instance — all through the database's
/// <see cref="PostgresDatabase.AllowFrom"/> and <c>Grant*</c> methods.
/// </summary>
public sealed class AppTierAccess : Construct
{
    /// <summary>Creates the access.</summary>
    public AppTierAccess(Construct scope, string id, AppTierAccessProps props)
        : base(scope, id)
    {
        if (props.ExistingSecurityGroup is { } existing)
        {
            SecurityGroup = existing;
            IsImported = true;
        }
        else
        {
            var created = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
            {
                Vpc = props.Vpc,
                AllowAllOutbound = false,
                Description = "Application tier: egress to the database port and HTTPS (AWS APIs) only",
            });
            created.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS: AWS APIs");
            SecurityGroup = created;
        }

        props.Database.AllowFrom(SecurityGroup, "PostgreSQL from the application tier");

        Role = new Role(this, "Role", new RoleProps
        {
            AssumedBy = props.RolePrincipal ?? EcsTasksOfThisAccount(),
            Description = $"Application role: connects to the database as IAM user {props.DatabaseUser}",
        });
        props.Database.GrantConnect(Role, props.DatabaseUser);
        if (props.ReadMasterCredentials)
        {
            props.Database.GrantReadCredentials(Role);
        }

        DatabaseUser = props.DatabaseUser;
        if (Role.Node.TryFindChild("DefaultPolicy") is { } policy)
        {
            NagAcknowledgement.Add(
                policy,
                "The application role's permissions are CDK grants rendered as the role's own inline policy: bound to this one role's lifecycle, impossible to attach elsewhere, and scoped to one database user of one instance (no wildcard resource). A customer-managed policy would add a reusable object with no reuse.",
                "NIST.800.53.R5-IAMNoInlinePolicy",
                "HIPAA.Security-IAMNoInlinePolicy",
                "PCI.DSS.321-IAMNoInlinePolicy");
        }
    }

    // ECS documents aws:SourceAccount and aws:SourceArn for task roles: only tasks of this account and region may assume it.
    private IPrincipal EcsTasksOfThisAccount()
    {
        var stack = Stack.Of(this);
        return new ServicePrincipal("ecs-tasks.amazonaws.com").WithConditions(new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:ecs:{stack.Region}:{stack.Account}:*" },
        });
    }

    /// <summary>The application security group (created or imported).</summary>
    public ISecurityGroup SecurityGroup { get; }

    /// <summary>True when the security group was given, not created.</summary>
    public bool IsImported { get; }

    /// <summary>The example application role.</summary>
    public Role Role { get; }

    /// <summary>The database user the role may connect as.</summary>
    public string DatabaseUser { get; }
}
