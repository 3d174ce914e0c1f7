using Amazon.CDK.AWS.KMS;

namespace RdsStack.Library;

/// <summary>Properties of <see cref="WorkingHoursSchedule"/>.</summary>
public sealed class WorkingHoursScheduleProps
{
    /// <summary>The database started and stopped.</summary>
    public required PostgresDatabase Database { get; init; }

    /// <summary>The EC2 instance id started and stopped with it (the bastion). Default null: the database only.</summary>
    public string? InstanceId { get; init; }

    /// <summary>
    /// The key of the instance's encrypted EBS volumes: starting an instance makes EC2 create a grant on it on the
    /// caller's behalf, so the schedule's role may <c>kms:CreateGrant</c> for AWS resources through EC2 on this key
    /// only. Default null; required when <see cref="InstanceId"/> is set.
    /// </summary>
    public IKey? InstanceVolumeKey { get; init; }

    /// <summary>The IANA time zone of the working hours, e.g. <c>Europe/Dublin</c> (daylight saving is followed).</summary>
    public required string TimeZone { get; init; }

    /// <summary>The working days as a cron day-of-week field. Default <c>MON-FRI</c>.</summary>
    public string WorkingDays { get; init; } = "MON-FRI";

    /// <summary>Start of the working day (local time), e.g. 08:00.</summary>
    public required TimeOnly Start { get; init; }

    /// <summary>End of the working day (local time), e.g. 19:00. Stops happen at this time every day.</summary>
    public required TimeOnly Stop { get; init; }
}
