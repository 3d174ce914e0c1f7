namespace RdsStack.Tool;

/// <summary>
/// A failure the person at the keyboard can act on: the message says what went wrong and the command that fixes
/// it. The tool prints it without a stack trace and exits with code 1.
/// </summary>
public sealed class ToolException : Exception
{
    /// <summary>Creates the error with its message.</summary>
    public ToolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its message and the failure that caused it.</summary>
    public ToolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
