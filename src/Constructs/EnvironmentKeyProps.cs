using Amazon.CDK;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="EnvironmentKey"/>.</summary>
public sealed class EnvironmentKeyProps
{
    /// <summary>The key alias without the <c>alias/</c> prefix, e.g. <c>rdsstack-dev</c>.</summary>
    public required string Alias { get; init; }

    /// <summary>
    /// The key's description (what it encrypts, shown in the KMS console and in CloudTrail reviews). Default:
    /// <see cref="DefaultDescription"/> — the environment key's: "RdsStack &lt;alias&gt;: encrypts the database, its
    /// snapshots, Performance Insights, the credentials secret, volumes and log groups."
    /// </summary>
    public string? Description { get; init; }

    /// <summary>
    /// What happens to the key when it leaves the stack. Default: <see cref="RemovalPolicy.RETAIN"/>,
    /// because a destroyed key makes every snapshot and backup it encrypted unreadable.
    /// </summary>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;

    /// <summary>
    /// The IAM role (full ARN) that alone may schedule the key's deletion, disable it or change its policy, besides
    /// <see cref="DeploymentRoleArn"/>. Default none: then every principal of the account whose IAM policy allows
    /// those actions can perform them (the account's administrators), and nothing in the key policy stops them.
    /// </summary>
    public string? AdministratorRoleArn { get; init; }

    /// <summary>
    /// The role CloudFormation deploys with, exempt from the deny on deletion and policy changes so the stack can
    /// still create, update and delete the key. Default: the CloudFormation execution role of the stack's
    /// <see cref="DefaultStackSynthesizer"/> (<c>cdk-hnb659fds-cfn-exec-role-&lt;account&gt;-&lt;region&gt;</c>);
    /// required when the stack uses another synthesizer and <see cref="AdministratorRoleArn"/> is set.
    /// </summary>
    public string? DeploymentRoleArn { get; init; }

    /// <summary>
    /// The AWS services (by name: <c>rds</c>, <c>secretsmanager</c>, <c>ec2</c>, ...) through which principals of the
    /// account may use the key, each as <c>&lt;name&gt;.&lt;region&gt;.amazonaws.com</c> in <c>kms:ViaService</c>.
    /// Default: <see cref="DefaultViaServices"/> — RDS (storage, snapshots, Performance Insights), Secrets Manager (the
    /// master secret) and EC2 (the bastion's EBS volume).
    /// </summary>
    public IReadOnlyList<string> ViaServices { get; init; } = DefaultViaServices;

    /// <summary>The default <see cref="Description"/>: what the environment key encrypts.</summary>
    public static string DefaultDescription(string alias) =>
        $"RdsStack {alias}: encrypts the database, its snapshots, Performance Insights, the credentials secret, volumes and log groups.";

    /// <summary>The default <see cref="ViaServices"/>: <c>rds</c>, <c>secretsmanager</c>, <c>ec2</c>.</summary>
    public static readonly IReadOnlyList<string> DefaultViaServices = new[] { "rds", "secretsmanager", "ec2" };

    /// <summary>
    /// AWS accounts that copy backups of this key's data into their own vaults (AWS Backup cross-account copy): each
    /// may decrypt and create grants for AWS resources, through RDS and AWS Backup only. Default none.
    /// </summary>
    public IReadOnlyList<string> BackupCopyAccounts { get; init; } = Array.Empty<string>();
}
