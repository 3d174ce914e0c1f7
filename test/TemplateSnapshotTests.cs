using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// Committed snapshots of every environment's template (test/snapshots/), so a pull request shows reviewers
/// exactly what changes in CloudFormation. A test fails when the synthesized template differs; to accept an
/// intended change run <c>npm run snapshots:update</c> and commit the snapshot diff with the code change.
/// </summary>
[Collection(StandardAppCollection.Name)]
public sealed class TemplateSnapshotTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly StandardApp app;

    public TemplateSnapshotTests(StandardApp app) => this.app = app;

    public static string SnapshotPath(string stack) => Path.Combine(ProgramTests.RepositoryRoot(), "test", "snapshots", $"{stack}.template.json");

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void The_template_matches_its_committed_snapshot(string stack)
    {
        var actual = app[stack];
        var path = SnapshotPath(stack);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual.ToJsonString(Indented) + "\n");
        }

        Assert.True(File.Exists(path), $"no snapshot for {stack}: run 'npm run snapshots:update' and commit test/snapshots/.");
        var expected = JsonNode.Parse(File.ReadAllText(path))!;
        var difference = FirstDifference(expected, actual, "$");
        Assert.True(difference is null, $"{stack} differs from test/snapshots/{stack}.template.json at {difference}. If the change is intended, run 'npm run snapshots:update' and commit the snapshot with the change.");
    }

    private static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    if (!e.ContainsKey(key))
                    {
                        return $"{path}.{key} (added)";
                    }

                    if (!a.ContainsKey(key))
                    {
                        return $"{path}.{key} (removed)";
                    }

                    if (FirstDifference(e[key], a[key], $"{path}.{key}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case (JsonArray e, JsonArray a):
                for (var i = 0; i < Math.Max(e.Count, a.Count); i++)
                {
                    if (i >= e.Count || i >= a.Count)
                    {
                        return $"{path}[{i}] ({(i >= e.Count ? "added" : "removed")})";
                    }

                    if (FirstDifference(e[i], a[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : $"{path}: expected {expected?.ToJsonString()} but was {actual?.ToJsonString()}";
        }
    }
}
