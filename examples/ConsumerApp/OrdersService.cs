using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace ConsumerApp;

// A plain C# class that CDK receives as an IConnectable must derive from jsii's DeputyBase
// (construct classes already do); IConnectable's one member is the Connections_ of its security groups.
public sealed class OrdersService : DeputyBase, IConnectable
{
    public OrdersService(Construct scope, IVpc vpc)
    {
        SecurityGroup = new SecurityGroup(scope, "OrdersServiceSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            AllowAllOutbound = false,
            Description = "Orders service: egress to the database only",
        });
        TaskRole = new Role(scope, "OrdersServiceTaskRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
        });
        Connections = new Connections_(new ConnectionsProps { SecurityGroups = new ISecurityGroup[] { SecurityGroup } });
    }

    public SecurityGroup SecurityGroup { get; }

    public Role TaskRole { get; }

    public Connections_ Connections { get; }
}
