using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// The library as a NuGet consumer gets it: <c>dotnet pack</c> of src/Constructs into a local feed, then a project
/// outside the repository (no Directory.Build.props, no central versions) that references the package from that
/// feed, builds the example app's sources and synthesizes them. Done once for the class.
/// </summary>
public sealed class PackedLibrary : IDisposable
{
    public PackedLibrary()
    {
        var root = ProgramTests.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("rdsstack-package-").FullName;
        Feed = Path.Combine(work, "feed");
        VersionPrefix = (string)XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("VersionPrefix").Single();

        // A version of its own per run, so NuGet's global package cache never serves an older build of the same number.
        Version = $"{VersionPrefix}-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        Pack = Run(root, "dotnet", $"pack src/Constructs/RdsStack.Library.csproj -c {configuration} --no-build -nologo -o \"{Feed}\" -p:Version={Version}");

        var consumer = Path.Combine(work, "consumer");
        Directory.CreateDirectory(consumer);
        foreach (var source in Directory.GetFiles(Path.Combine(root, "examples", "ConsumerApp"), "*.cs"))
        {
            File.Copy(source, Path.Combine(consumer, Path.GetFileName(source)));
        }

        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="RdsStack.Library" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        // The local feed next to the machine's usual sources (Amazon.CDK.Lib and Constructs come from those).
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        Build = Run(consumer, "dotnet", "build -c Release -nologo -v q");

        OutDir = Path.Combine(work, "cdk.out");
        Synth = Run(consumer, "dotnet", Path.Combine("bin", "Release", "net10.0", "Consumer.dll"), new Dictionary<string, string>
        {
            ["CDK_OUTDIR"] = OutDir,
            ["CDK_CONTEXT_JSON"] = System.Text.Json.JsonSerializer.Serialize(CdkJson.Context()),
            ["PATH"] = Path.Combine(root, "node_modules", ".bin") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        });
        WorkDir = work;
    }

    public string WorkDir { get; }

    public string Feed { get; }

    public string VersionPrefix { get; }

    public string Version { get; }

    public string OutDir { get; }

    public (int ExitCode, string Output) Pack { get; }

    public (int ExitCode, string Output) Build { get; }

    public (int ExitCode, string Output) Synth { get; }

    public string PackagePath => Path.Combine(Feed, $"RdsStack.Library.{Version}.nupkg");

    public void Dispose()
    {
        // The per-run version in NuGet's global cache is of no use to anyone after this run, nor is the work folder.
        var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "rdsstack.library", Version.ToLowerInvariant());
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }

        // The consumer's build output holds its own copy of Amazon.CDK.Lib (tens of MB).
        Directory.Delete(WorkDir, recursive: true);
    }

    private static (int ExitCode, string Output) Run(string directory, string file, string arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), $"{file} {arguments} did not finish within five minutes");
        return (process.ExitCode, stdout + stderr.Result);
    }
}

public sealed class PackageTests : IClassFixture<PackedLibrary>
{
    private readonly PackedLibrary package;

    public PackageTests(PackedLibrary package) => this.package = package;

    [Fact]
    public void The_package_carries_its_identity_licence_readme_repository_and_dependencies()
    {
        Assert.True(package.Pack.ExitCode == 0, package.Pack.Output);
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var nuspec = XDocument.Load(zip.GetEntry("RdsStack.Library.nuspec")!.Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => (string?)metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name) ?? string.Empty;

        Assert.Equal("RdsStack.Library", Value("id"));
        Assert.Equal(package.Version, Value("version"));
        Assert.StartsWith(package.VersionPrefix + "-", Value("version"));
        Assert.Contains("PostgreSQL", Value("description"));
        Assert.NotEqual("Package Description", Value("description"));
        Assert.False(string.IsNullOrWhiteSpace(Value("authors")));
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "Apache-2.0"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal("README.md", Value("readme"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? string.Empty);
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
        Assert.Equal("2.160.0", dependencies["Amazon.CDK.Lib"]);
        Assert.Equal("10.0.5", dependencies["Constructs"]);

        var files = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("README.md", files);
        Assert.Contains("LICENSE", files);
        Assert.Contains("lib/net10.0/RdsStack.Library.dll", files);
        Assert.Contains("lib/net10.0/RdsStack.Library.xml", files);
        using var symbols = ZipFile.OpenRead(Path.ChangeExtension(package.PackagePath, ".snupkg"));
        Assert.Contains("lib/net10.0/RdsStack.Library.pdb", symbols.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void A_project_outside_the_repository_builds_and_synthesizes_the_example_from_the_packed_package()
    {
        Assert.True(package.Build.ExitCode == 0, package.Build.Output);
        Assert.True(package.Synth.ExitCode == 0, package.Synth.Output);
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(package.OutDir, "OrdersDatabase.template.json")))!.AsObject();
        Assert.Single(template.Resources("AWS::RDS::DBInstance"));
        Assert.All(template.Resources("AWS::Lambda::Function"), f => Assert.Equal(Library.LambdaRuntimeFloor.Runtime, f.Resource.Props()["Runtime"].Str()));
    }
}
