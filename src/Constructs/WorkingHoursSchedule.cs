using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Scheduler;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// Stops a database (and its bastion) outside working hours with EventBridge Scheduler's universal targets, which
/// call <c>rds:StopDBInstance</c> / <c>StartDBInstance</c> and <c>ec2:StopInstances</c> / <c>StartInstances</c>
/// directly: no Lambda. Starts on working days at <see cref="WorkingHoursScheduleProps.Start"/>; stops at
/// <see cref="WorkingHoursScheduleProps.Stop"/> EVERY day, so an instance started by hand on a weekend is stopped
/// again that evening, and one restarted by RDS after 7 days stopped (RDS does that) is stopped again the same day.
/// The schedules' role is trusted by <c>scheduler.amazonaws.com</c> for this account only and may stop and start
/// exactly these two resources, nothing else.
/// </summary>
public sealed partial class WorkingHoursSchedule : Construct
{
    /// <summary>Creates the schedules and their role.</summary>
    public WorkingHoursSchedule(Construct scope, string id, WorkingHoursScheduleProps props)
        : base(scope, id)
    {
        Validate(props);
        Role = CreateRole(props);
        var identifier = props.Database.Props.InstanceIdentifier;
        Schedules.Add(AddSchedule("StopDatabase", props, stop: true, "rds:stopDBInstance", new Dictionary<string, object> { ["DbInstanceIdentifier"] = identifier }, $"Stops database {identifier} after working hours"));
        Schedules.Add(AddSchedule("StartDatabase", props, stop: false, "rds:startDBInstance", new Dictionary<string, object> { ["DbInstanceIdentifier"] = identifier }, $"Starts database {identifier} on working days"));
        if (props.InstanceId is { } instanceId)
        {
            Schedules.Add(AddSchedule("StopInstance", props, stop: true, "ec2:stopInstances", new Dictionary<string, object> { ["InstanceIds"] = new[] { instanceId } }, "Stops the bastion after working hours"));
            Schedules.Add(AddSchedule("StartInstance", props, stop: false, "ec2:startInstances", new Dictionary<string, object> { ["InstanceIds"] = new[] { instanceId } }, "Starts the bastion on working days"));
        }
    }

    /// <summary>The role EventBridge Scheduler assumes.</summary>
    public Role Role { get; }

    /// <summary>The schedules: stop and start of the database, then of the instance.</summary>
    public List<CfnSchedule> Schedules { get; } = new();

    /// <summary>The cron expression of the daily stop.</summary>
    public static string StopExpression(TimeOnly stop) => $"cron({stop.Minute} {stop.Hour} ? * * *)";

    /// <summary>The cron expression of the start on working days.</summary>
    public static string StartExpression(TimeOnly start, string workingDays) => $"cron({start.Minute} {start.Hour} ? * {workingDays} *)";

    private Role CreateRole(WorkingHoursScheduleProps props)
    {
        var stack = Stack.Of(this);
        var role = new Role(this, "Role", new RoleProps
        {
            Description = $"EventBridge Scheduler: stops and starts {props.Database.Props.InstanceIdentifier} outside working hours, nothing else",
            AssumedBy = new ServicePrincipal("scheduler.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                // Confused-deputy guard as EventBridge Scheduler documents it: this account, and schedules of the
                // default schedule group (where these schedules live) only.
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:scheduler:{stack.Region}:{stack.Account}:schedule-group/default" },
            }),
        });

        var statements = new List<PolicyStatement>
        {
            new(new PolicyStatementProps
            {
                Sid = "StopAndStartTheDatabase",
                Actions = new[] { "rds:StopDBInstance", "rds:StartDBInstance" },
                Resources = new[] { props.Database.Instance.InstanceArn },
            }),
        };
        if (props.InstanceId is { } instanceId)
        {
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "StopAndStartTheInstance",
                Actions = new[] { "ec2:StopInstances", "ec2:StartInstances" },
                Resources = new[] { stack.FormatArn(new ArnComponents { Service = "ec2", Resource = "instance", ResourceName = instanceId }) },
            }));
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "LetEc2AttachTheEncryptedVolumesOnStart",
                Actions = new[] { "kms:CreateGrant" },
                Resources = new[] { props.InstanceVolumeKey!.KeyArn },
                Conditions = new Dictionary<string, object>
                {
                    ["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = true },
                    ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"ec2.{stack.Region}.amazonaws.com" },
                },
            }));
        }

        // A customer-managed policy rather than an inline one: reviewable on its own, attached to this role only.
        _ = new ManagedPolicy(this, "Policy", new ManagedPolicyProps
        {
            Description = $"Stop and start {props.Database.Props.InstanceIdentifier}{(props.InstanceId is null ? string.Empty : " and its bastion")} only",
            Statements = statements.ToArray(),
            Roles = new IRole[] { role },
        });
        return role;
    }

    private CfnSchedule AddSchedule(string id, WorkingHoursScheduleProps props, bool stop, string action, Dictionary<string, object> input, string description) =>
        new(this, id, new CfnScheduleProps
        {
            Description = description,
            ScheduleExpression = stop ? StopExpression(props.Stop) : StartExpression(props.Start, props.WorkingDays),
            ScheduleExpressionTimezone = props.TimeZone,
            FlexibleTimeWindow = new CfnSchedule.FlexibleTimeWindowProperty { Mode = "OFF" },
            State = "ENABLED",
            Target = new CfnSchedule.TargetProperty
            {
                Arn = $"arn:{Stack.Of(this).Partition}:scheduler:::aws-sdk:{action}",
                RoleArn = Role.RoleArn,
                Input = Stack.Of(this).ToJsonString(input),
                // A transient failure gets two more tries within the hour. Stopping an instance that is already stopped
                // (a weekend evening) or starting a running one fails harmlessly: nothing changes.
                RetryPolicy = new CfnSchedule.RetryPolicyProperty { MaximumRetryAttempts = 2, MaximumEventAgeInSeconds = 3600 },
            },
        });

    /// <summary>True when <paramref name="workingDays"/> is a cron day-of-week field of names, ranges and lists (e.g. <c>MON-FRI</c>).</summary>
    public static bool IsValidWorkingDays(string? workingDays) => workingDays is not null && WorkingDaysPattern().IsMatch(workingDays);

    private static void Validate(WorkingHoursScheduleProps props)
    {
        if (string.IsNullOrWhiteSpace(props.TimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(props.TimeZone, out _) || !props.TimeZone.Contains('/', StringComparison.Ordinal) && props.TimeZone != "UTC")
        {
            throw new InvalidSettingException("timeZone", props.TimeZone, "an IANA time zone name, e.g. Europe/Dublin, Europe/Berlin, America/New_York or UTC");
        }

        if (!IsValidWorkingDays(props.WorkingDays))
        {
            throw new InvalidSettingException("workingDays", props.WorkingDays, "a cron day-of-week field of MON..SUN names, ranges and lists, e.g. MON-FRI or MON-THU,SAT");
        }

        if (props.Start >= props.Stop)
        {
            throw new InvalidSettingException("stop", props.Stop.ToString("HH:mm", CultureInfo.InvariantCulture), $"a time after the start ({props.Start.ToString("HH:mm", CultureInfo.InvariantCulture)}) on the same day");
        }

        if (props.InstanceId is not null && props.InstanceVolumeKey is null)
        {
            throw new InvalidSettingException("instanceVolumeKey", null, "the KMS key of the instance's EBS volumes (needed to start it)");
        }
    }

    [GeneratedRegex("^(MON|TUE|WED|THU|FRI|SAT|SUN)(-(MON|TUE|WED|THU|FRI|SAT|SUN))?(,(MON|TUE|WED|THU|FRI|SAT|SUN)(-(MON|TUE|WED|THU|FRI|SAT|SUN))?)*\\z")]
    private static partial Regex WorkingDaysPattern();
}
