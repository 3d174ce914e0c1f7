using System.Text.Json;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>Reads one committed configuration file (<c>config/*.json</c>) as JSON, refusing invalid JSON by file name.</summary>
internal static class ConfigurationFile
{
    /// <summary>
    /// The parsed document at <paramref name="path"/> (comments allowed), or null when the file does not exist.
    /// Invalid JSON is an <see cref="InvalidSettingException"/> naming the file and the parser's message.
    /// </summary>
    public static JsonDocument? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException error)
        {
            throw new InvalidSettingException(path, error.Message, "valid JSON");
        }
    }
}
