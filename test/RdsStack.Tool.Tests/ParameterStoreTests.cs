using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;

namespace RdsStack.Tool.Tests;

/// <summary>
/// The SSM boundary, through the real AWS SDK client pointed at a local HTTP stub (ServiceURL): the request the SDK
/// sends, and what each answer becomes.
/// </summary>
public sealed class ParameterStoreTests
{
    private const string Facts = """
        {"stackName":"RdsStack-sandbox-alice","environment":"sandbox","region":"eu-west-1",
         "database":{"endpoint":"rdsstack-sandbox-alice.c0abc.eu-west-1.rds.amazonaws.com","port":5432,"name":"app","masterUsername":"dbadmin",
                     "secretArn":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1","resourceId":"db-ABC"},
         "bastion":{"instanceId":"i-0abc","publicDnsName":"ec2-203-0-113-10.eu-west-1.compute.amazonaws.com","publicIp":"203.0.113.10","sshPort":22,
                    "hostKeysParameter":"/rdsstack/RdsStack-sandbox-alice/bastion/host-keys","generatedKeyParameter":"/ec2/keypair/key-0abc","generatedKeyUser":"ec2-user"}}
        """;

    [Fact]
    public async Task The_facts_are_read_from_the_stacks_parameter()
    {
        using var stub = new LocalHttpStub(_ => (200, "application/x-amz-json-1.1", System.Text.Json.JsonSerializer.Serialize(new { Parameter = new { Name = "x", Type = "String", Value = Facts } })));

        var facts = await Store(stub).ReadFactsAsync("RdsStack-sandbox-alice", CancellationToken.None);

        Assert.Equal("rdsstack-sandbox-alice.c0abc.eu-west-1.rds.amazonaws.com", facts.Database.Endpoint);
        Assert.Equal("/ec2/keypair/key-0abc", facts.Bastion!.GeneratedKeyParameter);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("AmazonSSM.GetParameter", request.Headers["X-Amz-Target"]);
        Assert.Contains("\"Name\":\"/rdsstack/RdsStack-sandbox-alice/connection\"", request.Body);
        Assert.Contains("\"WithDecryption\":false", request.Body);
    }

    [Fact]
    public async Task A_missing_parameter_means_the_stack_is_not_deployed()
    {
        using var stub = new LocalHttpStub(_ => (400, "application/x-amz-json-1.1", """{"__type":"ParameterNotFound","message":""}"""));

        var error = await Assert.ThrowsAsync<ToolException>(() => Store(stub).ReadFactsAsync("RdsStack-sandbox-bob", CancellationToken.None));

        Assert.Contains("Stack 'RdsStack-sandbox-bob' is not deployed", error.Message);
        Assert.Contains("/rdsstack/RdsStack-sandbox-bob/connection", error.Message);
        Assert.Contains("npx cdk deploy RdsStack-sandbox-bob", error.Message);
    }

    [Fact]
    public async Task The_generated_key_is_read_decrypted_and_kept_in_memory()
    {
        using var stub = new LocalHttpStub(_ => (200, "application/x-amz-json-1.1", """{"Parameter":{"Name":"/ec2/keypair/key-0abc","Type":"SecureString","Value":"-----BEGIN OPENSSH PRIVATE KEY-----"}}"""));

        var value = await Store(stub).ReadSecureAsync("/ec2/keypair/key-0abc", CancellationToken.None);

        Assert.StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----", value);
        Assert.Contains("\"WithDecryption\":true", Assert.Single(stub.Requests).Body);
    }

    [Fact]
    public async Task Host_keys_still_pending_mean_the_bastion_is_booting()
    {
        using var stub = new LocalHttpStub(_ => (200, "application/x-amz-json-1.1", """{"Parameter":{"Name":"k","Type":"String","Value":"pending"}}"""));

        var error = await Assert.ThrowsAsync<ToolException>(() => Store(stub).ReadHostKeysAsync("/rdsstack/RdsStack-dev/bastion/host-keys", CancellationToken.None));

        Assert.Contains("has not published its host keys yet", error.Message);
    }

    [Fact]
    public async Task Expired_credentials_say_how_to_sign_in_again()
    {
        using var stub = new LocalHttpStub(_ => (400, "application/x-amz-json-1.1", """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"""));

        var error = await Assert.ThrowsAsync<ToolException>(() => Store(stub, "team-dev").ReadFactsAsync("RdsStack-dev", CancellationToken.None));

        Assert.Contains("aws sso login --profile team-dev", error.Message);
    }

    private static ParameterStore Store(LocalHttpStub stub, string profile = "default") =>
        new(
            new AmazonSimpleSystemsManagementClient(
                new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                new AmazonSimpleSystemsManagementConfig { ServiceURL = stub.Url.ToString(), AuthenticationRegion = "eu-west-1", MaxErrorRetry = 0 }),
            profile);
}
