namespace RdsStack.Tool.Tests;

/// <summary><c>rdsstack myip</c> against a local listener standing in for checkip.amazonaws.com.</summary>
public sealed class PublicAddressTests
{
    [Theory]
    [InlineData("203.0.113.7\n", "203.0.113.7/32")]
    [InlineData("2001:db8:1234::7\n", "2001:db8:1234::7/128")]
    public async Task The_answer_becomes_a_single_address_cidr(string answer, string expected)
    {
        using var stub = new LocalHttpStub(_ => (200, "text/plain", answer));
        using var http = new HttpClient();

        Assert.Equal(expected, await PublicAddress.LookupAsync(http, stub.Url, CancellationToken.None));
    }

    [Fact]
    public async Task Anything_but_an_address_is_refused()
    {
        using var stub = new LocalHttpStub(_ => (200, "text/html", "<html>captive portal</html>"));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<ToolException>(() => PublicAddress.LookupAsync(http, stub.Url, CancellationToken.None));

        Assert.Contains("not an IP address", error.Message);
    }
}
