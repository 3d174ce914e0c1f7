using Xunit;

namespace RdsStack.Tests;

/// <summary>The reviewer's report shows where alarms and events go and what the schedules do.</summary>
[Collection(ReviewCollection.Name)]
public sealed class OperationsReportTests
{
    private readonly ReviewRun review;

    public OperationsReportTests(ReviewRun review) => this.review = review;

    [Fact]
    public void The_dev_report_lists_the_encrypted_tls_only_topic_the_events_and_each_alarm_with_its_actions()
    {
        var report = review.Report("RdsStack-dev");
        Assert.Contains("## Operations", report);
        Assert.Matches(@"\| OperationsTopic\w+ \| EnvironmentKey\w+\.Arn \| yes \| cloudwatch\.amazonaws\.com, events\.rds\.amazonaws\.com, events\.amazonaws\.com \| NONE: its alarms and events reach nobody \(config/operations\.json\) \|", report);
        Assert.Matches(@"\| DatabaseEventsSubscription\w+ \| db-instance \| DatabaseInstance\w+ \| availability, failover, failure, low storage, maintenance, notification, recovery, configuration change \| OperationsTopic\w+ \|", report);
        Assert.Matches(@"\| DatabaseAlarmsDatabaseConnections\w+ \| AWS/RDS/DatabaseConnections \(DBInstanceIdentifier=rdsstack-dev\) \| Maximum > 157 \| 1 of 1 x 300 s \| notBreaching \| alarm: OperationsTopic\w+; ok: OperationsTopic\w+ \|", report);
        Assert.Contains("### Schedules\n\n_None._", report);
    }

    [Fact]
    public void The_report_lists_the_eventbridge_alerts_and_that_the_topic_admits_only_those_rules()
    {
        var prod = review.Report("RdsStack-prod");
        Assert.Matches(@"\| KeyChangeAlertRule\w+ \| aws\.kms \| AWS API Call via CloudTrail \| calls: ScheduleKeyDeletion, CancelKeyDeletion, DisableKey, PutKeyPolicy, RevokeGrant, DisableKeyRotation, DeleteAlias, UpdateAlias \| resources\.ARN or requestParameters\.keyId or requestParameters\.aliasName \| OperationsTopic\w+ \(this rule only\) \|", prod);
        Assert.Matches(@"\| BackupFailureAlertRule\w+ \| aws\.backup \| Backup Job State Change, Copy Job State Change \| state: FAILED, ABORTED, EXPIRED \| backupVaultArn or sourceBackupVaultArn \| OperationsTopic\w+ \(this rule only\) \|", prod);
        var dev = review.Report("RdsStack-dev");
        Assert.Matches(@"\| KeyChangeAlertRule\w+ \| aws\.kms \|", dev);
        Assert.DoesNotContain("BackupFailureAlertRule", dev);
        Assert.DoesNotContain("NOT scoped to this rule", prod + dev);
    }

    [Fact]
    public void The_sandbox_report_shows_the_schedules_and_the_role_policy_they_use()
    {
        var report = review.Report("RdsStack-sandbox-alice");
        Assert.Matches(@"\| WorkingHoursStopDatabase\w+ \| cron\(0 19 \? \* \* \*\) Europe/Dublin \| ENABLED \| aws-sdk:rds:stopDBInstance \| \{""DbInstanceIdentifier"":""rdsstack-sandbox-alice""\} \| WorkingHoursRole\w+\.Arn \|", report);
        Assert.Matches(@"Managed policies: WorkingHoursPolicy\w+ \(customer-managed, statements below\)", report);
        Assert.Contains("| Allow | rds:StartDBInstance, rds:StopDBInstance |", report);
        Assert.Contains("### Alarms\n\n_None._", report);
    }
}
