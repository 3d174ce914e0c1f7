using System.Net;
using System.Net.Sockets;

namespace RdsStack.Tool;

/// <summary>
/// <c>rdsstack myip</c>: the caller's public address as a CIDR, for <c>operatorCidrs</c>. The only place the tool asks
/// the internet anything; the URL is a parameter (tests point it at a local listener).
/// </summary>
public static class PublicAddress
{
    /// <summary>The default service: AWS's own address echo.</summary>
    public static readonly Uri DefaultService = new("https://checkip.amazonaws.com/");

    /// <summary>Asks <paramref name="service"/> and returns <c>a.b.c.d/32</c> or <c>…/128</c>.</summary>
    public static async Task<string> LookupAsync(HttpClient http, Uri service, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = (await http.GetStringAsync(service, cancellationToken)).Trim();
        }
        catch (HttpRequestException e)
        {
            throw new ToolException($"Could not ask {service} for your public address: {e.Message}", e);
        }

        if (!IPAddress.TryParse(body, out var address))
        {
            throw new ToolException($"{service} answered something that is not an IP address: '{(body.Length > 60 ? body[..60] : body)}'.");
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"{address}/128" : $"{address}/32";
    }
}
