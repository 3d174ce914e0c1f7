using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace RdsStack.Tests;

/// <summary>Runs <c>npm run cost</c>'s script once over the standard app's templates.</summary>
public sealed class CostRun
{
    public CostRun()
    {
        var app = new StandardApp();
        JsonPath = Path.Combine(app.OutDir, "cost.json");
        (ExitCode, Output) = Run($"cost/cost.js --no-synth --out \"{app.OutDir}\" --json \"{JsonPath}\"");
        Report = JsonNode.Parse(File.ReadAllText(JsonPath))!.AsObject();
        Prices = JsonNode.Parse(File.ReadAllText(Path.Combine(ProgramTests.RepositoryRoot(), "cost", "prices.json")))!.AsObject();
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string JsonPath { get; }

    public JsonObject Report { get; }

    public JsonObject Prices { get; }

    public JsonObject Result(string stack) => Report["results"]!.AsArray().Single(r => (string?)r!["stack"] == stack)!.AsObject();

    public static (int ExitCode, string Output) Run(string arguments)
    {
        var root = ProgramTests.RepositoryRoot();
        var localNode = Path.Combine(root, "node_modules", ".bin", "node");
        var start = new ProcessStartInfo(File.Exists(localNode) ? localNode : "node", arguments)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the cost report did not finish within two minutes");
        return (process.ExitCode, output + stderr.Result);
    }
}

[CollectionDefinition(Name)]
public sealed class CostCollection : ICollectionFixture<StandardApp>, ICollectionFixture<CostRun>
{
    public const string Name = "cost";
}

/// <summary>The cost report: complete, honest about what it cannot price, and within the issue's targets.</summary>
[Collection(CostCollection.Name)]
public sealed class CostReportTests
{
    private readonly StandardApp app;
    private readonly CostRun cost;

    public CostReportTests(StandardApp app, CostRun cost)
    {
        this.app = app;
        this.cost = cost;
    }

    private static double Money(JsonNode? node) => node!.GetValue<double>();

    [Fact]
    public void The_report_prints_the_four_environments_with_the_dated_region()
    {
        Assert.True(cost.ExitCode == 0, cost.Output);
        Assert.Contains("# Monthly cost estimate (eu-west-1, on-demand list prices of 2026-11-26", cost.Output);
        foreach (var stack in StandardApp.StackNames)
        {
            Assert.Contains($"## {stack} (", cost.Output);
        }
    }

    [Theory]
    [MemberData(nameof(StandardApp.AllStacks), MemberType = typeof(StandardApp))]
    public void Every_resource_is_priced_free_with_a_reason_or_listed_as_not_priced(string stack)
    {
        var result = cost.Result(stack);
        var accounted = result["lines"]!.AsArray().Select(l => (string)l!["resource"]!)
            .Concat(result["free"]!.AsArray().Select(f => (string)f!["resource"]!))
            .Concat(result["notPriced"]!.AsArray().Select(n => (string)n!["resource"]!))
            .ToHashSet();
        Assert.All(app[stack].Resources(), r => Assert.Contains(r.Id, accounted));
        Assert.Empty(result["notPriced"]!.AsArray());
        Assert.All(result["free"]!.AsArray(), f => Assert.False(string.IsNullOrWhiteSpace((string?)f!["reason"])));
        Assert.Equal(Math.Round(result["lines"]!.AsArray().Sum(l => Money(l!["monthly"])), 2), Money(result["scheduled"]), 2);
        Assert.Equal(Math.Round(result["lines"]!.AsArray().Sum(l => Money(l!["runningMonthly"])), 2), Money(result["running"]), 2);
    }

    [Fact]
    public void An_unknown_resource_type_is_listed_as_not_priced_never_silently_free()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("rdsstack-cost-").FullName, "RdsStack-dev.template.json");
        File.WriteAllText(file, """{"Resources":{"Mystery":{"Type":"AWS::Foo::Bar","Properties":{}},"Big":{"Type":"AWS::RDS::DBInstance","Properties":{"DBInstanceClass":"db.x9.huge","AllocatedStorage":"20","StorageType":"io2"}}}}""");
        var (exitCode, output) = CostRun.Run($"cost/cost.js --template \"{file}\"");
        Assert.True(exitCode == 0, output);
        Assert.Contains("NOT PRICED", output);
        Assert.Contains("- Mystery (AWS::Foo::Bar): resource type not in cost/prices.json", output);
        Assert.Contains("instance class db.x9.huge is not in cost/prices.json", output);
        Assert.Contains("storage type io2 is not in cost/prices.json", output);
        Assert.Contains("(+3 not priced)", output);
    }

    [Fact]
    public void The_sandbox_is_priced_on_its_schedule_from_config_and_when_kept_running()
    {
        var hours = CdkJson.Operations;
        var workingDays = hours.WorkingDays == "MON-FRI" ? 5 : throw new InvalidOperationException("adapt the test to the configured working days");
        var weekly = workingDays * (hours.Stop - hours.Start).TotalHours;
        var monthly = weekly * 365 / 7 / 12;
        var result = cost.Result("RdsStack-sandbox-alice");
        var hourly = (double)cost.Prices["prices"]!["rdsInstanceHour"]!["byClass"]!["db.t4g.small"]!;
        var database = result["lines"]!.AsArray().Single(l => (string?)l!["item"] == "Database instance hours")!;
        Assert.Equal(Math.Round(hourly * monthly, 2), Money(database["monthly"]), 2);
        Assert.Equal(Math.Round(hourly * 730, 2), Money(database["runningMonthly"]), 2);
        Assert.Contains($"{weekly:0} h a week", (string?)database["note"]);
        var bastion = result["lines"]!.AsArray().Single(l => (string?)l!["item"] == "EC2 instance hours")!;
        Assert.True(Money(bastion["monthly"]) < Money(bastion["runningMonthly"]));
        // An Elastic IP, storage and keys are billed around the clock, schedule or not.
        Assert.All(result["lines"]!.AsArray().Where(l => ((string)l!["item"]!).StartsWith("Public IPv4", StringComparison.Ordinal) || ((string)l!["item"]!).StartsWith("Database storage", StringComparison.Ordinal)), l => Assert.Equal(Money(l!["monthly"]), Money(l["runningMonthly"])));
    }

    [Fact]
    public void Targets_sandbox_on_its_schedule_at_most_20_and_dev_at_most_60()
    {
        var sandbox = cost.Result("RdsStack-sandbox-alice");
        var dev = cost.Result("RdsStack-dev");
        Assert.True(Money(sandbox["scheduled"]) <= 20, $"sandbox on its schedule: {sandbox["scheduled"]}");
        Assert.True(Money(dev["running"]) <= 60, $"dev: {dev["running"]}");
        var target = sandbox["targets"]!.AsArray().Single(t => (string?)t!["name"] == "on its default schedule")!;
        Assert.True((bool)target["met"]!);
    }

    [Fact]
    public void A_missed_target_is_reported_as_not_met_with_its_figure()
    {
        // The sandbox kept running stays above $32 (the database class PostgreSQL 18 needs; see README "Cost").
        var sandbox = cost.Result("RdsStack-sandbox-alice");
        var running = sandbox["targets"]!.AsArray().Single(t => (string?)t!["name"] == "kept running")!;
        Assert.Equal(32, Money(running["limit"]));
        Assert.Equal(Money(running["value"]) <= 32, (bool)running["met"]!);
        Assert.Contains($"Target kept running: ${Money(running["value"]):0.00} {((bool)running["met"]! ? "<=" : ">")} $32.00 — {((bool)running["met"]! ? "met" : "NOT MET")}.", cost.Output);
    }

    [Fact]
    public void Prod_pays_for_both_multi_az_instances_and_both_volumes()
    {
        var prod = cost.Result("RdsStack-prod");
        var hourly = (double)cost.Prices["prices"]!["rdsInstanceHour"]!["byClass"]!["db.m7g.large"]!;
        var gb = (double)cost.Prices["prices"]!["rdsGp3GbMonth"]!["usd"]!;
        var lines = prod["lines"]!.AsArray();
        Assert.Equal(Math.Round(hourly * 2 * 730, 2), Money(lines.Single(l => (string?)l!["item"] == "Database instance hours")!["monthly"]), 2);
        Assert.Equal(Math.Round(gb * 2 * 100, 2), Money(lines.Single(l => (string?)l!["item"] == "Database storage (gp3)")!["monthly"]), 2);
        Assert.Equal(3, lines.Count(l => (string?)l!["item"] == "NAT gateway hours"));
        Assert.Equal(4, lines.Count(l => ((string)l!["item"]!).StartsWith("Public IPv4", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_price_names_its_source_and_whether_it_was_verified()
    {
        Assert.Equal("eu-west-1", (string?)cost.Prices["region"]);
        Assert.Equal("2026-11-26", (string?)cost.Prices["date"]);
        Assert.All(cost.Prices["prices"]!.AsObject(), p =>
        {
            Assert.StartsWith("https://", (string?)p.Value!["source"]);
            Assert.NotNull(p.Value["verified"]);
        });
    }

    [Fact]
    public void The_readme_environments_table_shows_the_generated_cost_row()
    {
        var readme = File.ReadAllLines(Path.Combine(ProgramTests.RepositoryRoot(), "README.md"));
        var row = readme.SingleOrDefault(l => l.StartsWith("| Estimated monthly cost", StringComparison.Ordinal));
        Assert.True(row == (string?)cost.Report["readmeRow"], "README.md's cost row is out of date: run 'npm run cost -- --update-readme' and commit README.md.\n" + cost.Report["readmeRow"]);
    }
}
