using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace RdsStack.Tool;

/// <summary>
/// The tool's only SSM reads: the connection facts, the bastion's host keys and (sandboxes with a generated key)
/// the private key, decrypted in memory and never written anywhere. A thin boundary around
/// <see cref="IAmazonSimpleSystemsManagement"/>, tested against a local HTTP stub.
/// </summary>
public sealed class ParameterStore(IAmazonSimpleSystemsManagement ssm, string profile)
{
    /// <summary>Reads a stack's connection facts; a missing parameter means the stack is not deployed.</summary>
    public async Task<ConnectionFacts> ReadFactsAsync(string stackName, CancellationToken cancellationToken)
    {
        var name = ConnectionFacts.ParameterName(stackName);
        var value = await GetAsync(name, decrypt: false, cancellationToken) ?? throw new ToolException(
            $"Stack '{stackName}' is not deployed in this account and region (no SSM parameter {name}). " +
            $"Check the stack name ('npx cdk ls'), the profile (AWS_PROFILE={profile}) and the region (--region), or deploy it: npx cdk deploy {stackName}");
        return ConnectionFacts.Parse(value, $"SSM parameter {name}");
    }

    /// <summary>Reads the bastion's host keys.</summary>
    public async Task<BastionHostKeys> ReadHostKeysAsync(string parameterName, CancellationToken cancellationToken)
    {
        var value = await GetAsync(parameterName, decrypt: false, cancellationToken) ?? throw new ToolException(
            $"The bastion's host-keys parameter {parameterName} does not exist: the stack's bastion is missing or still being created.");
        return BastionHostKeys.Parse(value, $"SSM parameter {parameterName}");
    }

    /// <summary>Reads a SecureString (the generated bastion key), decrypted; the value stays in memory.</summary>
    public async Task<string> ReadSecureAsync(string parameterName, CancellationToken cancellationToken) =>
        await GetAsync(parameterName, decrypt: true, cancellationToken) ?? throw new ToolException(
            $"The generated key parameter {parameterName} does not exist. Was the stack redeployed with bastionPublicKey? Then use --identity with your own key.");

    private async Task<string?> GetAsync(string name, bool decrypt, CancellationToken cancellationToken)
    {
        try
        {
            var response = await ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = decrypt }, cancellationToken);
            return response.Parameter.Value;
        }
        catch (ParameterNotFoundException)
        {
            return null;
        }
        catch (AmazonSimpleSystemsManagementException e) when (e.ErrorCode is "AccessDeniedException")
        {
            throw new ToolException($"Access denied reading SSM parameter {name} (profile {profile}): your role needs ssm:GetParameter on it{(decrypt ? " and kms:Decrypt" : string.Empty)}. {e.Message}", e);
        }
        catch (AmazonServiceException e) when (e.ErrorCode is "ExpiredTokenException" or "UnrecognizedClientException" or "InvalidClientTokenId")
        {
            throw AwsSession.Explain(e, profile);
        }
    }
}
