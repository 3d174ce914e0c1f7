using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Xunit;

namespace RdsStack.Tests;

/// <summary>
/// A library user reads a prop's default where they type it: every optional property of every public props type
/// of RdsStack.Library states its default ("Default …") in its XML doc comment, as aws-cdk's props do.
/// </summary>
public sealed class PropsDocumentationTests
{
    private static readonly Assembly Library = typeof(Library.PostgresDatabase).Assembly;

    public static TheoryData<string> OptionalProps()
    {
        var data = new TheoryData<string>();
        foreach (var type in Library.GetExportedTypes().Where(t => t.Name.EndsWith("Props", StringComparison.Ordinal)))
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (property.GetCustomAttribute<RequiredMemberAttribute>() is null)
                {
                    data.Add($"{type.FullName}.{property.Name}");
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_library_ships_its_xml_documentation_and_has_props_types_to_check()
    {
        Assert.True(File.Exists(DocumentationFile), $"{DocumentationFile} is missing: GenerateDocumentationFile must stay on");
        Assert.True(OptionalProps().Count >= 20, "expected the optional props of every construct");
    }

    [Theory]
    [MemberData(nameof(OptionalProps))]
    public void Every_optional_prop_states_its_default_in_its_doc_comment(string property)
    {
        var member = Documentation.Value.Descendants("member").SingleOrDefault(m => (string?)m.Attribute("name") == $"P:{property}");
        Assert.True(member is not null, $"{property} has no XML doc comment");
        var text = string.Join(" ", member!.Element("summary")!.DescendantNodes().Select(n => n switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" } e => (string?)e.Attribute("cref") ?? string.Empty,
            _ => string.Empty,
        }));
        Assert.True(text.Contains("Default", StringComparison.Ordinal), $"{property}'s doc comment does not state its default (\"Default …\"): {text.Trim()}");
    }

    private static string DocumentationFile => Path.ChangeExtension(Library.Location, ".xml");

    private static readonly Lazy<XDocument> Documentation = new(() => XDocument.Load(DocumentationFile));
}
