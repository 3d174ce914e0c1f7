using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// A customer-managed IAM policy for the people who reach one environment's database, to attach to their roles or
/// IAM Identity Center permission sets. It allows exactly: a Session Manager session on this bastion with this
/// environment's tunnel document only (never a shell document, never another instance), ending or resuming one's own
/// sessions, <c>rds-db:connect</c> as the caller's own database user (named by a principal tag), and reading the
/// environment's connection, host-key and (where one exists) generated-key parameters. Nothing on <c>*</c>.
/// </summary>
public sealed partial class OperatorPolicy : Construct
{
    /// <summary>Creates the policy.</summary>
    public OperatorPolicy(Construct scope, string id, OperatorPolicyProps props)
        : base(scope, id)
    {
        Validate(props);
        var statements = new List<PolicyStatement>();
        if (props.Bastion is { } bastion)
        {
            statements.Add(StartTunnelSessions(bastion));
            statements.Add(ManageOwnSessions());
        }

        statements.Add(ConnectAsOwnDatabaseUser(props));
        if (ReadableParameters(props) is { Length: > 0 } parameters)
        {
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "ReadConnectionParameters",
                Actions = new[] { "ssm:GetParameter" },
                Resources = parameters,
            }));
        }

        Policy = new ManagedPolicy(this, "Resource", new ManagedPolicyProps
        {
            Description = "Reach this environment's database as yourself: Session Manager tunnel to the database only, rds-db:connect as your own database user, read the connection parameters",
            Statements = statements.ToArray(),
        });
        AcknowledgeRules(props);
    }

    /// <summary>The managed policy.</summary>
    public ManagedPolicy Policy { get; }

    /// <summary>The policy's ARN.</summary>
    public string PolicyArn => Policy.ManagedPolicyArn;

    /// <summary>
    /// StartSession needs both the target and the document in Resource; with ssm:SessionDocumentAccessCheck a request
    /// that names no document (the default shell, SSM-SessionManagerRunShell) is checked against Resource too, and so
    /// refused. See https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-specify-session-document.html.
    /// </summary>
    private static PolicyStatement StartTunnelSessions(BastionHost bastion) => new(new PolicyStatementProps
    {
        Sid = "StartDatabaseTunnelOnThisBastion",
        Actions = new[] { "ssm:StartSession" },
        Resources = new[] { bastion.InstanceArn, bastion.TunnelDocumentArn },
        Conditions = new Dictionary<string, object>
        {
            ["BoolIfExists"] = new Dictionary<string, object> { ["ssm:SessionDocumentAccessCheck"] = "true" },
        },
    });

    /// <summary>Session ids start with the caller's user id; see the Session Manager example policies ("end only sessions you started").</summary>
    private PolicyStatement ManageOwnSessions() => new(new PolicyStatementProps
    {
        Sid = "EndOrResumeOwnSessions",
        Actions = new[] { "ssm:TerminateSession", "ssm:ResumeSession" },
        Resources = new[] { Stack.Of(this).FormatArn(new ArnComponents { Service = "ssm", Resource = "session", ResourceName = "${aws:userid}-*" }) },
    });

    /// <summary>
    /// The IAM database user is the caller's principal tag: one policy for everyone, and each person can only be
    /// themselves. A request without the tag matches no resource (an absent policy variable matches nothing), and the
    /// Null condition says so explicitly.
    /// </summary>
    private PolicyStatement ConnectAsOwnDatabaseUser(OperatorPolicyProps props)
    {
        var tag = $"aws:PrincipalTag/{props.DatabaseUserTag}";
        var conditions = new Dictionary<string, object>
        {
            ["Null"] = new Dictionary<string, object> { [tag] = "false" },
        };
        if (props.ExcludedDatabaseUsers.Count > 0)
        {
            conditions["StringNotEqualsIgnoreCase"] = new Dictionary<string, object> { [tag] = props.ExcludedDatabaseUsers.ToArray() };
        }

        return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ConnectAsOwnDatabaseUser",
            Actions = new[] { "rds-db:connect" },
            Resources = new[]
            {
                Stack.Of(this).FormatArn(new ArnComponents
                {
                    Service = "rds-db",
                    Resource = "dbuser",
                    ResourceName = $"{props.Database.Instance.InstanceResourceId}/${{{tag}}}",
                    ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
                }),
            },
            Conditions = conditions,
        });
    }

    private string[] ReadableParameters(OperatorPolicyProps props)
    {
        var names = props.ReadableParameterNames.ToList();
        if (props.Bastion is { } bastion)
        {
            names.Add(bastion.HostKeysParameterName);
            if (bastion.PrivateKeyParameterName is { } key)
            {
                names.Add(key);
            }
        }

        return names.Select(name => Stack.Of(this).FormatArn(new ArnComponents { Service = "ssm", Resource = "parameter", ResourceName = name.TrimStart('/') })).ToArray();
    }

    private static void Validate(OperatorPolicyProps props)
    {
        if (props.DatabaseUserTag is null || !TagKeyPattern().IsMatch(props.DatabaseUserTag))
        {
            throw new InvalidSettingException("databaseUserTag", props.DatabaseUserTag, "a tag key of 1 to 128 letters, digits and + - = . _ : / @ (e.g. rdsstack-user)");
        }

        foreach (var name in props.ReadableParameterNames)
        {
            if (name is null || !name.StartsWith('/') || name.Contains('*'))
            {
                throw new InvalidSettingException("readableParameterNames", name, "full parameter names starting with '/', no wildcards");
            }
        }
    }

    private void AcknowledgeRules(OperatorPolicyProps props)
    {
        if (props.Bastion is null)
        {
            return;
        }

        NagAcknowledgement.Add(
            Policy,
            "The only wildcard is the session-id suffix in ssm:TerminateSession/ResumeSession on session/${aws:userid}-*: Session Manager names each session after the user id of the caller who started it, so this covers exactly the caller's own sessions. Every other resource is named: this bastion, its tunnel document, one dbuser per caller, named parameters.",
            "AwsSolutions-IAM5");
    }

    [GeneratedRegex("^[A-Za-z0-9+\\-=._:/@]{1,128}\\z")]
    private static partial Regex TagKeyPattern();
}
