namespace RdsStack.Library;

/// <summary>
/// Thrown at synth time when a setting (a construct prop, a preset field or a CDK context value)
/// has a value the library refuses. The message always names the setting, the bad value and what
/// is allowed, so the fix is obvious without reading code — and because it is thrown before any
/// template is written, nothing half-built ever reaches CloudFormation.
/// </summary>
public sealed class InvalidSettingException : Exception
{
    /// <summary>Creates the error for <paramref name="setting"/>.</summary>
    /// <param name="setting">The setting's name as the user writes it (for example <c>operatorCidrs</c>).</param>
    /// <param name="value">The rejected value, as given (null when the value was missing).</param>
    /// <param name="allowed">What would have been accepted.</param>
    public InvalidSettingException(string setting, string? value, string allowed)
        : base($"Invalid setting '{setting}': {(value is null ? "(missing)" : $"'{value}'")}. Allowed: {allowed}")
    {
        Setting = setting;
        Value = value;
        Allowed = allowed;
    }

    /// <summary>The setting's name.</summary>
    public string Setting { get; }

    /// <summary>The rejected value (null when missing).</summary>
    public string? Value { get; }

    /// <summary>What is allowed instead.</summary>
    public string Allowed { get; }
}
