using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RdsStack.Tool;

/// <summary>
/// AWS Signature Version 4, the two forms this tool needs: a presigned URL (an RDS IAM authentication token) and
/// a signed request header (one Secrets Manager call). Written to match botocore byte for byte
/// (<c>botocore/auth.py</c> <c>SigV4Auth</c> and <c>SigV4QueryAuth</c>); the tests compare both with botocore.
/// Every function takes the signing time as a parameter so a result can be reproduced.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
/// </summary>
public static class SigV4
{
    /// <summary>The algorithm name.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Presigns a GET request: returns <c>host:port/path?operation params&amp;auth params&amp;X-Amz-Signature=…</c>
    /// without the scheme, the shape RDS expects as a password.
    /// </summary>
    /// <param name="host">Host name.</param>
    /// <param name="port">Port; always in the URL, left out of the signed host header when 443.</param>
    /// <param name="path">Absolute path, e.g. <c>/</c>.</param>
    /// <param name="operationParameters">Query parameters of the operation, in the order they appear in the URL.</param>
    /// <param name="service">Signing service name, e.g. <c>rds-db</c>.</param>
    /// <param name="region">Region, e.g. <c>eu-west-1</c>.</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="signingTime">The signing time (UTC).</param>
    /// <param name="expiresSeconds">Validity in seconds.</param>
    public static string Presign(
        string host,
        int port,
        string path,
        IReadOnlyList<KeyValuePair<string, string>> operationParameters,
        string service,
        string region,
        AwsCredentials credentials,
        DateTime signingTime,
        int expiresSeconds)
    {
        var (amzDate, scope) = Scope(signingTime, region, service);
        // botocore keeps the port in the URL but, like HTTP, leaves the default one out of the signed host header.
        var hostAndPort = $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
        var hostHeader = port == 443 ? host : hostAndPort;
        var authParameters = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Algorithm", Algorithm),
            new("X-Amz-Credential", $"{credentials.AccessKeyId}/{scope}"),
            new("X-Amz-Date", amzDate),
            new("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture)),
            new("X-Amz-SignedHeaders", "host"),
        };
        if (credentials.SessionToken is not null)
        {
            authParameters.Add(new("X-Amz-Security-Token", credentials.SessionToken));
        }

        var all = operationParameters.Concat(authParameters).Select(p => (Key: Encode(p.Key), Value: Encode(p.Value))).ToList();
        var canonicalQuery = string.Join('&', all.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var canonicalRequest = string.Join('\n', "GET", path, canonicalQuery, $"host:{hostHeader}\n", "host", Hex(SHA256.HashData(Array.Empty<byte>())));
        var signature = Sign(credentials.SecretAccessKey, signingTime, region, service, StringToSign(amzDate, scope, canonicalRequest));
        var urlQuery = string.Join('&', all.Select(p => $"{p.Key}={p.Value}"));
        return $"{hostAndPort}{path}?{urlQuery}&X-Amz-Signature={signature}";
    }

    /// <summary>
    /// Signs a request with the Authorization header: returns the headers to send (<c>X-Amz-Date</c>,
    /// <c>X-Amz-Security-Token</c> when there is a session token, and <c>Authorization</c>). Every header in
    /// <paramref name="headers"/> is signed, plus <c>host</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SignHeaders(
        string method,
        Uri url,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        string service,
        string region,
        AwsCredentials credentials,
        DateTime signingTime)
    {
        var (amzDate, scope) = Scope(signingTime, region, service);
        var added = new Dictionary<string, string> { ["X-Amz-Date"] = amzDate };
        if (credentials.SessionToken is not null)
        {
            added["X-Amz-Security-Token"] = credentials.SessionToken;
        }

        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}",
        };
        foreach (var (name, value) in headers.Concat(added))
        {
            signed[name.ToLowerInvariant()] = string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        var signedHeaders = string.Join(';', signed.Keys);
        var canonicalHeaders = string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n"));
        var query = url.Query.TrimStart('?');
        var canonicalQuery = query.Length == 0 ? string.Empty : string.Join('&', query.Split('&').Order(StringComparer.Ordinal));
        var canonicalRequest = string.Join('\n', method, url.AbsolutePath, canonicalQuery, canonicalHeaders, signedHeaders, Hex(SHA256.HashData(body)));
        var signature = Sign(credentials.SecretAccessKey, signingTime, region, service, StringToSign(amzDate, scope, canonicalRequest));
        added["Authorization"] = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return added;
    }

    /// <summary>Percent-encodes everything but the RFC 3986 unreserved characters (A–Z a–z 0–9 - _ . ~), as botocore does.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static (string AmzDate, string Scope) Scope(DateTime signingTime, string region, string service)
    {
        var utc = signingTime.ToUniversalTime();
        var date = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return (utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), $"{date}/{region}/{service}/aws4_request");
    }

    private static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

    private static string Sign(string secret, DateTime signingTime, string region, string service, string stringToSign)
    {
        var date = signingTime.ToUniversalTime().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("aws4_request"));
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
