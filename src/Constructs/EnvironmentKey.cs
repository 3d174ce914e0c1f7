using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// A customer-managed KMS key with the environment's key policy. As the environment key, database storage, snapshots,
/// Performance Insights, the master-credentials secret, the bastion volume and every log group of the environment are
/// encrypted with it; <see cref="DatabaseBackupPlan"/> creates a second one for its vault, usable through AWS Backup
/// only. Annual rotation is on. Its key policy separates administration from use:
/// <list type="bullet">
/// <item>administration (the KMS documentation's key-administrator actions) by the account's IAM principals their IAM
/// policies allow;</item>
/// <item>use (encrypt, decrypt, data keys) by the account's principals only through the services that need it
/// (<c>kms:ViaService</c> RDS, Secrets Manager, EC2, same <c>kms:CallerAccount</c>), and by CloudWatch Logs only for
/// the log groups named by <see cref="GrantUseToCloudWatchLogs"/>;</item>
/// <item>grants only for AWS resources (AWS Control Tower CT.KMS.PR.3);</item>
/// <item>with <see cref="EnvironmentKeyProps.AdministratorRoleArn"/>: deletion, disabling, policy changes, grant
/// revocation and alias changes (<see cref="ProtectedActions"/>) denied to everyone but that role and the deployment
/// role.</item>
/// </list>
/// </summary>
public sealed class EnvironmentKey : Construct
{
    /// <summary>
    /// The key-administrator actions of the KMS developer guide's default key policy ("Allows key administrators to
    /// administer the KMS key"): everything but using the key for cryptography.
    /// </summary>
    public static readonly IReadOnlyList<string> AdministrationActions = new[]
    {
        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
        "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
    };

    /// <summary>The cryptographic use of the key that services perform on a caller's behalf.</summary>
    public static readonly IReadOnlyList<string> UseActions = new[]
    {
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey",
    };

    /// <summary>
    /// The actions that can destroy the data or take the key away from its owners: denied to everyone but the
    /// administrator and deployment roles when an administrator role is configured. <c>kms:RevokeGrant</c> is among
    /// them (revoking RDS's grant makes the database <c>inaccessible-encryption-credentials</c>), and so are the alias
    /// actions (an alias moved to another key silently redirects whoever encrypts by alias). <c>kms:RetireGrant</c> is
    /// not: the grant itself authorizes its retiring principal (RDS, EC2 and AWS Backup retire their own grants when a
    /// resource goes away), and a deny here would block that clean-up.
    /// </summary>
    public static readonly IReadOnlyList<string> ProtectedActions = new[]
    {
        "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey", "kms:DisableKeyRotation", "kms:DeleteImportedKeyMaterial",
        "kms:RevokeGrant", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
    };

    private readonly Key key;
    private int logsGrants;

    /// <summary>Creates the key.</summary>
    public EnvironmentKey(Construct scope, string id, EnvironmentKeyProps props)
        : base(scope, id)
    {
        Validate(props);
        var stack = Stack.Of(this);
        var policy = new PolicyDocument();
        AddAdministration(policy);
        AddUseThroughServices(policy, stack, props.ViaServices);
        AddGrantsOnlyForAwsResources(policy);
        AdministratorRoleArn = props.AdministratorRoleArn;
        Alias = props.Alias;
        if (props.AdministratorRoleArn is { } administrator)
        {
            DeploymentRoleArn = props.DeploymentRoleArn ?? DefaultDeploymentRoleArn(stack);
            AddDenyOfProtectedActions(policy, administrator, DeploymentRoleArn);
        }

        AddBackupCopyAccounts(policy, stack, props.BackupCopyAccounts);

        key = new Key(this, "Key", new KeyProps
        {
            Alias = props.Alias,
            Description = props.Description ?? EnvironmentKeyProps.DefaultDescription(props.Alias),
            EnableKeyRotation = true,
            RemovalPolicy = props.RemovalPolicy,
            PendingWindow = Duration.Days(30),
            Policy = policy,
        });
    }

    /// <summary>The KMS key.</summary>
    public IKey Key => key;

    /// <summary>The key's alias name, without <c>alias/</c>.</summary>
    public string Alias { get; }

    /// <summary>The administrator role that alone may delete the key or change its policy, or null (any account administrator may).</summary>
    public string? AdministratorRoleArn { get; }

    /// <summary>The deployment role exempt from the deny with the administrator role (null without an administrator role).</summary>
    public string? DeploymentRoleArn { get; }

    /// <summary>
    /// Lets CloudWatch Logs of this account and region encrypt and decrypt with the key for log groups whose names
    /// match <paramref name="logGroupNamePatterns"/> (e.g. <c>/aws/rds/instance/db-1/*</c>): the condition
    /// <c>kms:EncryptionContext:aws:logs:arn</c> CloudWatch Logs documents for encrypted log groups.
    /// </summary>
    public void GrantUseToCloudWatchLogs(params string[] logGroupNamePatterns)
    {
        var stack = Stack.Of(this);
        if (logGroupNamePatterns.Length == 0 || logGroupNamePatterns.Any(p => string.IsNullOrWhiteSpace(p) || p.StartsWith("arn:", StringComparison.Ordinal)))
        {
            throw new InvalidSettingException("logGroupNamePatterns", string.Join(",", logGroupNamePatterns), "one or more log-group names or name patterns such as /aws/rds/instance/db-1/* (not ARNs)");
        }

        logsGrants++;
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = logsGrants == 1 ? "UseByCloudWatchLogsForThisStacksLogGroups" : $"UseByCloudWatchLogsForThisStacksLogGroups{logsGrants}",
            Principals = new IPrincipal[] { new ServicePrincipal($"logs.{stack.Region}.amazonaws.com") },
            Actions = new[] { "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = logGroupNamePatterns.Select(p => $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{p}").ToArray(),
                },
            },
        }));
    }

    /// <summary>
    /// Extension point for an AWS service that uses the key as itself, not on a caller's behalf (for example
    /// <c>cloudwatch.amazonaws.com</c> publishing alarms to an SNS topic encrypted with this key): decrypt and data keys
    /// for <paramref name="servicePrincipal"/>, only for requests on behalf of this account (<c>aws:SourceAccount</c>).
    /// </summary>
    public void GrantUseToServicePrincipal(string servicePrincipal, string statementId)
    {
        if (string.IsNullOrWhiteSpace(servicePrincipal) || !servicePrincipal.EndsWith(".amazonaws.com", StringComparison.Ordinal))
        {
            throw new InvalidSettingException("servicePrincipal", servicePrincipal, "an AWS service principal such as cloudwatch.amazonaws.com");
        }

        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = statementId,
            Principals = new IPrincipal[] { new ServicePrincipal(servicePrincipal) },
            Actions = new[] { "kms:Decrypt", "kms:GenerateDataKey*" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Stack.Of(this).Account },
            },
        }));
    }

    /// <summary>
    /// Lets AWS services publish into SNS topics of this account and region encrypted with this key (for example
    /// <c>cloudwatch.amazonaws.com</c> for alarms, <c>events.rds.amazonaws.com</c> for RDS event notifications and
    /// <c>events.amazonaws.com</c> for EventBridge rules):
    /// SNS needs the publisher to be allowed <c>kms:GenerateDataKey*</c> and <c>kms:Decrypt</c> on the topic's key.
    /// Limited by the encryption context SNS always sets (<c>kms:EncryptionContext:aws:sns:topicArn</c>) to this
    /// account's topics in this region; which alarms and events may publish is decided by each topic's policy.
    /// See https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (compatibility with AWS services) and
    /// https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html (the same condition).
    /// </summary>
    public void AllowNotificationServices(params string[] servicePrincipals)
    {
        if (servicePrincipals.Length == 0)
        {
            return;
        }

        var stack = Stack.Of(this);
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowNotificationServicesToPublishToEncryptedTopicsOfThisAccount",
            Principals = servicePrincipals.Select(s => (IPrincipal)new ServicePrincipal(s)).ToArray(),
            Actions = new[] { "kms:GenerateDataKey*", "kms:Decrypt" },
            Resources = new[] { "*" },
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object> { ["kms:EncryptionContext:aws:sns:topicArn"] = $"arn:{stack.Partition}:sns:{stack.Region}:{stack.Account}:*" },
            },
        }));
    }

    /// <summary>The CloudFormation execution role of a stack's default synthesizer, as a template value.</summary>
    public static string DefaultDeploymentRoleArn(Stack stack) => stack.Synthesizer is DefaultStackSynthesizer synthesizer
        ? Fn.Sub(synthesizer.CloudFormationExecutionRoleArn)
        : throw new InvalidSettingException("deploymentRoleArn", null, "the role CloudFormation deploys this stack with: the stack does not use the DefaultStackSynthesizer, so it cannot be derived");

    private static void AddAdministration(PolicyDocument policy) => policy.AddStatements(new PolicyStatement(new PolicyStatementProps
    {
        Sid = "AdministrationByAccountPrincipalsTheirIamPoliciesAllow",
        Principals = new IPrincipal[] { new AccountRootPrincipal() },
        Actions = AdministrationActions.ToArray(),
        Resources = new[] { "*" },
    }));

    private static void AddUseThroughServices(PolicyDocument policy, Stack stack, IReadOnlyList<string> viaServices)
    {
        var services = viaServices.Select(s => $"{s}.{stack.Region}.amazonaws.com").ToArray();
        var sameAccountThroughServices = new Dictionary<string, object>
        {
            ["kms:CallerAccount"] = stack.Account,
            ["kms:ViaService"] = services,
        };
        policy.AddStatements(
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "UseOnlyThroughTheStacksServices",
                Principals = new IPrincipal[] { new AccountRootPrincipal() },
                Actions = UseActions.ToArray(),
                Resources = new[] { "*" },
                Conditions = new Dictionary<string, object> { ["StringEquals"] = sameAccountThroughServices },
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "GrantsOnlyForAwsResourcesThroughTheStacksServices",
                Principals = new IPrincipal[] { new AccountRootPrincipal() },
                Actions = new[] { "kms:CreateGrant" },
                Resources = new[] { "*" },
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = sameAccountThroughServices,
                    ["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" },
                },
            }));
    }

    // AWS Control Tower CT.KMS.PR.3: a deny of kms:CreateGrant for every principal unless the grant is for an AWS
    // resource or the caller is an AWS service principal, in exactly the shape the control's rule checks.
    private static void AddGrantsOnlyForAwsResources(PolicyDocument policy) => policy.AddStatements(new PolicyStatement(new PolicyStatementProps
    {
        Sid = "DenyGrantsNotForAwsResources",
        Effect = Effect.DENY,
        Principals = new IPrincipal[] { new AnyPrincipal() },
        Actions = new[] { "kms:CreateGrant" },
        Resources = new[] { "*" },
        Conditions = new Dictionary<string, object>
        {
            ["BoolIfExists"] = new Dictionary<string, object>
            {
                ["kms:GrantIsForAWSResource"] = "false",
                ["aws:PrincipalIsAWSService"] = "false",
            },
        },
    }));

    // KMS refuses a policy that would lock out the principal creating it (the lockout safety check stays on), so the
    // deployment role is exempt with the administrator role: both keep kms:PutKeyPolicy through the administration
    // statement and their IAM policies.
    private static void AddDenyOfProtectedActions(PolicyDocument policy, string administratorRoleArn, string deploymentRoleArn) => policy.AddStatements(new PolicyStatement(new PolicyStatementProps
    {
        Sid = "DenyDeletionAndPolicyChangesExceptAdministrator",
        Effect = Effect.DENY,
        Principals = new IPrincipal[] { new AnyPrincipal() },
        Actions = ProtectedActions.ToArray(),
        Resources = new[] { "*" },
        Conditions = new Dictionary<string, object>
        {
            ["ArnNotLike"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = new[] { administratorRoleArn, deploymentRoleArn } },
        },
    }));

    private static void AddBackupCopyAccounts(PolicyDocument policy, Stack stack, IReadOnlyList<string> accounts)
    {
        if (accounts.Count == 0)
        {
            return;
        }

        var principals = accounts.Select(a => (IPrincipal)new AccountPrincipal(a)).ToArray();
        var viaBackup = new Dictionary<string, object>
        {
            ["kms:ViaService"] = new[] { $"rds.{stack.Region}.amazonaws.com", $"backup.{stack.Region}.amazonaws.com" },
        };
        policy.AddStatements(
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "BackupCopyAccountsDecryptThroughRdsAndBackup",
                Principals = principals,
                Actions = new[] { "kms:Decrypt", "kms:DescribeKey" },
                Resources = new[] { "*" },
                Conditions = new Dictionary<string, object> { ["StringEquals"] = viaBackup },
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "BackupCopyAccountsGrantsForAwsResources",
                Principals = principals,
                Actions = new[] { "kms:CreateGrant" },
                Resources = new[] { "*" },
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = viaBackup,
                    ["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" },
                },
            }));
    }

    private static void Validate(EnvironmentKeyProps props)
    {
        if (string.IsNullOrWhiteSpace(props.Alias) || props.Alias.StartsWith("alias/", StringComparison.Ordinal) || props.Alias.StartsWith("aws", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidSettingException("alias", props.Alias, "a key alias without the 'alias/' prefix that does not start with 'aws'");
        }

        if (props.AdministratorRoleArn is { } role && !Arns.IsRoleArn(role))
        {
            throw new InvalidSettingException("administratorRoleArn", role, "an IAM role ARN such as arn:aws:iam::123456789012:role/KeyAdministrator");
        }

        if (props.ViaServices.Count == 0 || props.ViaServices.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains('.')))
        {
            throw new InvalidSettingException("viaServices", string.Join(",", props.ViaServices), "one or more service names such as rds, secretsmanager, ec2 (the region is added)");
        }

        foreach (var account in props.BackupCopyAccounts)
        {
            if (!Arns.IsAccountId(account))
            {
                throw new InvalidSettingException("backupCopyAccounts", account, "12-digit AWS account ids");
            }
        }
    }
}
