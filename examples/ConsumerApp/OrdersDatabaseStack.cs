using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using RdsStack.Library;

namespace ConsumerApp;

// The orders team's database: key, network, PostgreSQL, and the two roles that use it.
public sealed class OrdersDatabaseStack : Stack
{
    public OrdersDatabaseStack(Construct scope, string id, IStackProps props)
        : base(scope, id, props)
    {
        var key = new EnvironmentKey(this, "EnvironmentKey", new EnvironmentKeyProps { Alias = "orders-prod" });
        var network = new PrivateNetwork(this, "Network", new PrivateNetworkProps
        {
            AvailabilityZones = new[] { "eu-west-1a", "eu-west-1b", "eu-west-1c" },
            NatGateways = 3,
            EncryptionKey = key.Key,
        });
        var database = new PostgresDatabase(this, "Database", new PostgresDatabaseProps
        {
            Vpc = network.Vpc,
            VpcSubnets = network.DatabaseSubnets,
            EncryptionKey = key.Key,
            InstanceIdentifier = "orders-prod",
            InstanceClass = "db.m7g.large",
            MultiAz = true,
        });

        var ordersService = new OrdersService(this, network.Vpc);
        var migrationRole = new Role(this, "MigrationRole", new RoleProps { AssumedBy = new ServicePrincipal("codebuild.amazonaws.com") });
        database.AllowFrom(ordersService, "orders service");            // security group to security group, port 5432
        database.GrantConnect(ordersService.TaskRole, "orders_app");    // rds-db:connect as one IAM database user
        database.GrantReadCredentials(migrationRole);                   // the RDS-managed master secret

        // The grants above are the two roles' own inline policies: acknowledge the rule packs' finding where it is.
        foreach (var role in new[] { ordersService.TaskRole, migrationRole })
        {
            NagAcknowledgement.Add(
                role.Node.FindChild("DefaultPolicy"),
                $"{role.Node.Id}'s grants from the database construct, rendered as the role's own inline policy: bound to this one role, scoped to one database.",
                "NIST.800.53.R5-IAMNoInlinePolicy",
                "HIPAA.Security-IAMNoInlinePolicy",
                "PCI.DSS.321-IAMNoInlinePolicy");
        }
    }
}
