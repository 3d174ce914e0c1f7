using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// A customer-managed IAM policy for the people who reach one environment's database, to attach to their roles or
/// IAM Identity Center permission sets. It allows exactly: a Session Manager session on this bastion with this
/// environment's tunnel document only (never a shell document, never another instance), ending or resuming one's own
/// sessions, <c>rds-db:connect</c> as each declared database user only for the caller whose principal tag names that
/// user (<see cref="OperatorPolicyProps.AllowedDatabaseUsers"/>; with none declared, no <c>rds-db:connect</c> at all),
/// and reading the environment's connection, host-key and (where one exists) generated-key parameters. Nothing on
/// <c>*</c>.
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

        statements.AddRange(ConnectAsOwnDatabaseUser(props));
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
            Description = "Reach this environment's database as yourself: Session Manager tunnel to the database only, rds-db:connect as your own declared database user (principal tag), read the connection parameters",
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
    /// One statement per declared database user: <c>rds-db:connect</c> on that user only, when the caller's principal
    /// tag equals that name. The names are listed, never a policy variable, so a tag naming an undeclared user matches
    /// no statement, and the condition binds each name to its own tag, so a declared person cannot log in as another.
    /// No declared users: no statement.
    /// </summary>
    private IEnumerable<PolicyStatement> ConnectAsOwnDatabaseUser(OperatorPolicyProps props)
    {
        var tag = $"aws:PrincipalTag/{props.DatabaseUserTag}";
        return props.AllowedDatabaseUsers.Order(StringComparer.Ordinal).Select((user, index) => new PolicyStatement(new PolicyStatementProps
        {
            Sid = $"ConnectAsOwnDatabaseUser{index + 1}",
            Actions = new[] { "rds-db:connect" },
            Resources = new[]
            {
                Stack.Of(this).FormatArn(new ArnComponents
                {
                    Service = "rds-db",
                    Resource = "dbuser",
                    ResourceName = $"{props.Database.Instance.InstanceResourceId}/{user}",
                    ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
                }),
            },
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { [tag] = user },
            },
        })).ToList();
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

        if (props.AllowedDatabaseUsers.Count > OperatorPolicyProps.MaxAllowedDatabaseUsers)
        {
            throw new InvalidSettingException("allowedDatabaseUsers", string.Join(", ", props.AllowedDatabaseUsers), $"at most {OperatorPolicyProps.MaxAllowedDatabaseUsers} database users (a managed policy holds 6,144 characters); split the people over several policies");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in props.AllowedDatabaseUsers)
        {
            if (user is null || !DatabaseUserPattern().IsMatch(user) || !seen.Add(user) || props.ExcludedDatabaseUsers.Contains(user, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidSettingException("allowedDatabaseUsers", user, $"PostgreSQL user names of lowercase letters, digits and underscores, starting with a letter, at most 63 characters, each once, none of the excluded users ({string.Join(", ", props.ExcludedDatabaseUsers)})");
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
            "The only wildcard is the session-id suffix in ssm:TerminateSession/ResumeSession on session/${aws:userid}-*: Session Manager names each session after the user id of the caller who started it, so this covers exactly the caller's own sessions. Every other resource is named: this bastion, its tunnel document, each declared dbuser by name, named parameters.",
            "AwsSolutions-IAM5");
    }

    [GeneratedRegex("^[A-Za-z0-9+\\-=._:/@]{1,128}\\z")]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseUserPattern();
}
