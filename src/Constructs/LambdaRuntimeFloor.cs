using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// An aspect that keeps every Lambda function of a stack off deprecated runtimes.
/// CDK 2.160 generates Node.js 18/20 handlers for its own custom resources (for example the one that
/// strips the default security group's rules); AWS Lambda refuses to create functions on a deprecated
/// runtime, so without this the first deploy would fail twenty minutes in. Those handlers are plain
/// async AWS SDK v3 code and run unchanged on <see cref="Runtime"/>, so they are moved there.
/// Any other function on a deprecated runtime is refused at synth time instead of being rewritten.
/// <see cref="PrivateNetwork"/> applies it to its own stack (its VPC brings such a handler), so a consumer of
/// the library cannot forget it; <see cref="ApplyTo"/> is idempotent, one floor per stack.
/// </summary>
public sealed class LambdaRuntimeFloor : Amazon.JSII.Runtime.Deputy.DeputyBase, IAspect
{
    /// <summary>Runtimes AWS Lambda no longer lets anyone create functions on.</summary>
    public static readonly IReadOnlySet<string> DeprecatedRuntimes = new HashSet<string>(StringComparer.Ordinal)
    {
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x", "nodejs20.x",
        "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
        "java8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet7", "ruby2.5", "ruby2.7", "ruby3.2", "go1.x", "provided",
    };

    /// <summary>The runtime CDK's own custom-resource handlers are moved to.</summary>
    public const string Runtime = "nodejs24.x";

    private const string ProviderMarker = "aws:cdk:is-custom-resource-handler-customResourceProvider";

    /// <summary>
    /// Adds the floor to <paramref name="stack"/> unless it already has one, and returns the stack's floor.
    /// Constructs that create (or make CDK create) a Lambda function call this, so the stack is safe whether or
    /// not the app remembers to.
    /// </summary>
    public static LambdaRuntimeFloor ApplyTo(Stack stack)
    {
        var aspects = Aspects.Of(stack);
        if (aspects.All.OfType<LambdaRuntimeFloor>().FirstOrDefault() is { } existing)
        {
            return existing;
        }

        var floor = new LambdaRuntimeFloor();
        aspects.Add(floor);
        return floor;
    }

    /// <inheritdoc />
    public void Visit(IConstruct node)
    {
        if (node is CfnFunction function)
        {
            if (function.Runtime is { } runtime && DeprecatedRuntimes.Contains(runtime))
            {
                throw new InvalidSettingException($"{function.Node.Path} Runtime", runtime, $"a Lambda runtime AWS still supports (not {string.Join(", ", DeprecatedRuntimes)})");
            }

            return;
        }

        if (node is CfnResource resource && resource.CfnResourceType == "AWS::Lambda::Function" && IsCdkProviderHandler(resource))
        {
            resource.AddPropertyOverride("Runtime", Runtime);
        }
    }

    private static bool IsCdkProviderHandler(CfnResource resource) =>
        resource.Node.Scope is { } provider && provider.Node.Metadata.Any(entry => entry.Type == ProviderMarker);
}
