using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

[Collection(StandardAppCollection.Name)]
public sealed class StackTests
{
    private readonly StandardApp app;

    public StackTests(StandardApp app) => this.app = app;

    [Fact]
    public void The_app_has_one_stack_per_environment_and_the_sandbox_only_when_named()
    {
        Assert.Equal(StandardApp.StackNames.OrderBy(n => n), app.Stacks.Keys.OrderBy(n => n));
    }

    [Theory]
    [InlineData("RdsStack-dev", "dev", null)]
    [InlineData("RdsStack-prod", "prod", null)]
    [InlineData("RdsStack-sandbox-alice", "sandbox", "alice")]
    public void Every_taggable_resource_carries_project_and_environment_tags_and_a_sandbox_its_owner(string stack, string environment, string? owner)
    {
        var tagged = app[stack].Resources().Where(r => r.Resource.Props()["Tags"] is JsonArray).ToList();
        Assert.NotEmpty(tagged);
        foreach (var (id, resource) in tagged)
        {
            var tags = resource.Props()["Tags"]!.AsArray().ToDictionary(t => (string)t!["Key"]!, t => t!["Value"]?.ToJsonString());
            Assert.True(tags.TryGetValue("project", out var project) && project == "\"RdsStack\"", $"{id} lacks the project tag");
            Assert.True(tags.TryGetValue("environment", out var env) && env == $"\"{environment}\"", $"{id} lacks the environment tag");
            if (owner is not null)
            {
                Assert.True(tags.TryGetValue("owner", out var o) && o == $"\"{owner}\"", $"{id} lacks the owner tag");
            }
        }
    }

    [Theory]
    [InlineData("RdsStack-dev", false)]
    [InlineData("RdsStack-staging", false)]
    [InlineData("RdsStack-prod", true)]
    [InlineData("RdsStack-sandbox-alice", false)]
    public void Only_prod_has_termination_protection(string stack, bool expected)
    {
        Assert.Equal(expected, app.Stacks[stack].TerminationProtection);
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-prod")]
    [InlineData("RdsStack-sandbox-alice")]
    public void The_description_tells_a_reviewer_what_the_stack_is(string stack)
    {
        var description = (string?)app[stack]["Description"];
        Assert.NotNull(description);
        Assert.Contains("PostgreSQL", description);
        Assert.Contains("KMS-encrypted", description);
        Assert.Contains(app.Stacks[stack].Database.Props.InstanceClass, description);
    }

    [Theory]
    [InlineData("RdsStack-dev")]
    [InlineData("RdsStack-sandbox-alice")]
    public void Every_stack_targets_its_presets_region(string stack)
    {
        Assert.Equal("eu-west-1", app.Stacks[stack].Region);
    }
}
