using System.Net;
using System.Net.Sockets;

namespace RdsStack.Library;

/// <summary>
/// A validated IPv4 or IPv6 CIDR block for an ingress rule that admits people (operators).
/// Parsing refuses anything that would open a port wider than intended: the whole internet,
/// prefixes broader than <see cref="MinimumIpv4Prefix"/> / <see cref="MinimumIpv6Prefix"/>,
/// host bits set (a typo that EC2 would silently widen), and malformed text.
/// </summary>
public sealed record IpCidr
{
    /// <summary>The broadest IPv4 prefix accepted for operator access (/24 = 256 addresses).</summary>
    public const int MinimumIpv4Prefix = 24;

    /// <summary>The broadest IPv6 prefix accepted for operator access (/48 = one site).</summary>
    public const int MinimumIpv6Prefix = 48;

    private IpCidr(string text, bool isIpv6)
    {
        Text = text;
        IsIpv6 = isIpv6;
    }

    /// <summary>The canonical text, e.g. <c>203.0.113.7/32</c> or <c>2001:db8::/48</c>.</summary>
    public string Text { get; }

    /// <summary>True for an IPv6 block.</summary>
    public bool IsIpv6 { get; }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Parses one operator CIDR, throwing <see cref="InvalidSettingException"/> naming <paramref name="setting"/>.</summary>
    public static IpCidr Parse(string setting, string? value)
    {
        const string allowed = "an IPv4 CIDR with a prefix of /24 to /32 (e.g. 203.0.113.7/32) or an IPv6 CIDR with a prefix of /48 to /128 (e.g. 2001:db8:1234::/48); never 0.0.0.0/0 or ::/0";
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new InvalidSettingException(setting, value, allowed);
        }

        var slash = text.IndexOf('/');
        if (slash <= 0 || slash != text.LastIndexOf('/')
            || !IPAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, null, out var prefix)
            || text[..slash].Contains('%'))
        {
            throw new InvalidSettingException(setting, value, allowed);
        }

        var isIpv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (!isIpv6 && text[..slash].Count(c => c == '.') != 3)
        {
            // IPAddress.TryParse accepts shorthand such as "10.1" — never what an operator means.
            throw new InvalidSettingException(setting, value, allowed);
        }

        var maxPrefix = isIpv6 ? 128 : 32;
        if (prefix > maxPrefix)
        {
            throw new InvalidSettingException(setting, value, allowed);
        }

        if (prefix == 0)
        {
            throw new InvalidSettingException(setting, value, $"a specific operator network, not the whole internet — {allowed}");
        }

        var minimum = isIpv6 ? MinimumIpv6Prefix : MinimumIpv4Prefix;
        if (prefix < minimum)
        {
            throw new InvalidSettingException(setting, value, $"a prefix of /{minimum} or longer for {(isIpv6 ? "IPv6" : "IPv4")}: /{prefix} admits too many addresses — {allowed}");
        }

        var network = Mask(address.GetAddressBytes(), prefix);
        var networkAddress = new IPAddress(network);
        if (!networkAddress.Equals(address))
        {
            throw new InvalidSettingException(setting, value, $"a CIDR without host bits: did you mean {networkAddress}/{prefix}? — {allowed}");
        }

        return new IpCidr($"{networkAddress}/{prefix}", isIpv6);
    }

    /// <summary>
    /// Parses a comma-separated list of operator CIDRs (empty or null = none). Duplicates are refused,
    /// because a repeated rule is almost always a copy-paste slip hiding a missing address.
    /// </summary>
    public static IReadOnlyList<IpCidr> ParseList(string setting, string? value)
    {
        if (value is null || value.Trim().Length == 0)
        {
            return Array.Empty<IpCidr>();
        }

        var result = new List<IpCidr>();
        foreach (var part in value.Split(','))
        {
            var cidr = Parse(setting, part);
            if (result.Contains(cidr))
            {
                throw new InvalidSettingException(setting, value, $"each CIDR once: {cidr} appears more than once");
            }

            result.Add(cidr);
        }

        return result;
    }

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        var masked = (byte[])bytes.Clone();
        for (var i = 0; i < masked.Length; i++)
        {
            var bitsInByte = Math.Clamp(prefix - (i * 8), 0, 8);
            masked[i] &= (byte)(0xFF << (8 - bitsInByte));
        }

        return masked;
    }
}
