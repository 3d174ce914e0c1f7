using Amazon.CDK.AWS.Backup;
using Amazon.CDK.AWS.SNS;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="BackupFailureAlert"/>.</summary>
public sealed class BackupFailureAlertProps
{
    /// <summary>The vault whose backup jobs (into it) and copy jobs (out of it) are watched.</summary>
    public required IBackupVault Vault { get; init; }

    /// <summary>The topic the alerts go to; it must be defined in this app (its policy admits the rule).</summary>
    public required ITopic Topic { get; init; }

    /// <summary>The job states that alert. Default: <see cref="BackupFailureAlert.FailedStates"/>.</summary>
    public IReadOnlyList<string> States { get; init; } = BackupFailureAlert.FailedStates;
}
