using System.Text.Json;
using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// <c>config/controls.json</c>: the AWS Control Tower proactive controls the organisation enforces, e.g.
/// <c>{ "enforcedControls": ["CT.RDS.PR.24"] }</c>. Read and validated once, before any construct is built. A missing
/// file enforces nothing.
/// </summary>
public sealed record ControlsConfiguration
{
    /// <summary>The file name inside the configuration directory.</summary>
    public const string FileName = "controls.json";

    /// <summary>The enforced control ids, sorted and distinct.</summary>
    public IReadOnlyList<string> EnforcedControls { get; init; } = Array.Empty<string>();

    /// <summary>Reads <see cref="FileName"/> from <paramref name="configDir"/>.</summary>
    public static ControlsConfiguration Load(string configDir)
    {
        var file = Path.Combine(configDir, FileName);
        if (!File.Exists(file))
        {
            return new ControlsConfiguration();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(file));
        }
        catch (JsonException error)
        {
            throw new InvalidSettingException(file, error.Message, "a JSON object such as { \"enforcedControls\": [\"CT.RDS.PR.24\"] }");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSettingException($"{file} $", root.ValueKind.ToString(), "a JSON object such as { \"enforcedControls\": [\"CT.RDS.PR.24\"] }");
            }

            foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("enforcedControls" or "$comment")))
            {
                throw new InvalidSettingException($"{file} $.{property.Name}", property.Value.ToString(), "only the keys enforcedControls and $comment");
            }

            if (!root.TryGetProperty("enforcedControls", out var list))
            {
                return new ControlsConfiguration();
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidSettingException($"{file} $.enforcedControls", list.ToString(), "a list of control ids such as \"CT.RDS.PR.24\"");
            }

            var ids = new List<string>();
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var id = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.ToString();
                if (item.ValueKind != JsonValueKind.String || !ControlTowerAcknowledgement.IsControlId(id))
                {
                    throw new InvalidSettingException($"{file} $.enforcedControls[{index}]", id, "a Control Tower proactive control id: 'CT.<SERVICE>.PR.<number>', e.g. CT.RDS.PR.24");
                }

                ids.Add(id);
                index++;
            }

            return new ControlsConfiguration { EnforcedControls = ids.Distinct().Order(StringComparer.Ordinal).ToArray() };
        }
    }
}
