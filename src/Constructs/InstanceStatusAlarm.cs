using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// An alarm on an EC2 instance's status checks (<c>StatusCheckFailed</c>: the system or the instance check failed for
/// two consecutive minutes). Status-check metrics are published every minute at no charge whether or not detailed
/// monitoring is on. EC2's simplified automatic recovery already moves an instance off failed hardware; the alarm
/// tells people. ALARM and OK go to the topic; missing data (a stopped instance publishes none) is not breaching.
/// </summary>
public sealed class InstanceStatusAlarm : Construct
{
    /// <summary>Creates the alarm.</summary>
    public InstanceStatusAlarm(Construct scope, string id, string instanceId, string description, ITopic topic)
        : base(scope, id)
    {
        Alarm = new Alarm(this, "Alarm", new AlarmProps
        {
            Metric = new Metric(new MetricProps
            {
                Namespace = "AWS/EC2",
                MetricName = "StatusCheckFailed",
                DimensionsMap = new Dictionary<string, string> { ["InstanceId"] = instanceId },
                Statistic = Stats.MAXIMUM,
                Period = Duration.Minutes(1),
            }),
            Threshold = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            EvaluationPeriods = 2,
            DatapointsToAlarm = 2,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
            AlarmDescription = $"{description}: an EC2 status check failed for 2 minutes (system: AWS hardware or network, recovered automatically; instance: the operating system, reboot it).",
        });
        var action = new SnsAction(topic);
        Alarm.AddAlarmAction(action);
        Alarm.AddOkAction(action);
    }

    /// <summary>The alarm.</summary>
    public Alarm Alarm { get; }
}
