using Amazon.CDK.AWS.Events;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// An EventBridge rule that sends every AWS Backup job of one vault that did not produce a recovery point to a topic:
/// a backup job into the vault (<c>detail.backupVaultArn</c>) or a copy job out of it
/// (<c>detail.sourceBackupVaultArn</c>, e.g. the cross-account copy) that FAILED, was ABORTED or EXPIRED (never ran in
/// its start window). AWS Backup sends "Backup Job State Change" and "Copy Job State Change" events to the default
/// event bus itself (best effort); no trail is needed.
/// </summary>
public sealed class BackupFailureAlert : Construct
{
    /// <summary>The job states that mean no recovery point was made: FAILED, ABORTED, EXPIRED.</summary>
    public static readonly IReadOnlyList<string> FailedStates = new[] { "FAILED", "ABORTED", "EXPIRED" };

    /// <summary>The AWS Backup event types watched.</summary>
    public static readonly IReadOnlyList<string> JobEventTypes = new[] { "Backup Job State Change", "Copy Job State Change" };

    /// <summary>Creates the rule and its target.</summary>
    public BackupFailureAlert(Construct scope, string id, BackupFailureAlertProps props)
        : base(scope, id)
    {
        if (props.States.Count == 0 || props.States.Any(s => string.IsNullOrWhiteSpace(s) || s != s.ToUpperInvariant()))
        {
            throw new InvalidSettingException("states", string.Join(",", props.States), "one or more AWS Backup job states in capitals, e.g. FAILED, ABORTED, EXPIRED");
        }

        Rule = new Rule(this, "Rule", new RuleProps
        {
            Description = "RdsStack: AWS Backup backup and copy jobs of this stack's vault that failed, were aborted or expired",
            EventPattern = new EventPattern
            {
                Source = new[] { "aws.backup" },
                DetailType = JobEventTypes.ToArray(),
                Detail = new Dictionary<string, object>
                {
                    ["state"] = props.States.ToArray(),
                    ["$or"] = new object[]
                    {
                        new Dictionary<string, object> { ["backupVaultArn"] = new[] { props.Vault.BackupVaultArn } },
                        new Dictionary<string, object> { ["sourceBackupVaultArn"] = new[] { props.Vault.BackupVaultArn } },
                    },
                },
            },
        });
        RuleScopedTopicTarget.Attach(Rule, props.Topic);
    }

    /// <summary>The EventBridge rule.</summary>
    public Rule Rule { get; }
}
