using Amazon.CDK;
using Constructs;

namespace RdsStack.Library;

/// <summary>
/// Writes one acknowledgement — a rule or control id with its reason — into a resource's template metadata, as
/// <c>{ metadataKey: { listKey: [ { id, reason } ] } }</c>. Shared by <see cref="NagAcknowledgement"/> and
/// <see cref="ControlTowerAcknowledgement"/> so both keep one shape, one minimum reason length and one error text.
/// </summary>
internal static class AcknowledgementMetadata
{
    /// <summary>Adds (or replaces) the entry for <paramref name="id"/> on the resource behind <paramref name="construct"/>.</summary>
    public static void Add(IConstruct construct, string metadataKey, string listKey, string id, string reason, string what, string example)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"A {what} id is required, e.g. '{example}'.", nameof(id));
        }

        if (reason is null || reason.Trim().Length < NagAcknowledgement.MinimumReasonLength)
        {
            throw new ArgumentException($"The acknowledgement of {id} needs a reason of at least {NagAcknowledgement.MinimumReasonLength} characters saying what, why it is safe and what compensates.", nameof(reason));
        }

        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"'{construct.Node.Path}' is not a CloudFormation resource and has no default child resource to carry the acknowledgement of {id}.", nameof(construct));

        var existing = resource.GetMetadata(metadataKey) as IDictionary<string, object>;
        var entries = new List<object>();
        if (existing is not null && existing.TryGetValue(listKey, out var previous) && previous is IEnumerable<object> list)
        {
            entries.AddRange(list.Where(r => r is not IDictionary<string, object> d || !Equals(d["id"], id)));
        }

        entries.Add(new Dictionary<string, object> { ["id"] = id, ["reason"] = reason.Trim() });
        resource.AddMetadata(metadataKey, new Dictionary<string, object> { [listKey] = entries.ToArray() });
    }

    /// <summary>
    /// Removes the entries for <paramref name="ids"/> from the resource behind <paramref name="construct"/>, for a
    /// construct that makes an earlier acknowledgement untrue (for example a backup plan that now covers a database).
    /// </summary>
    public static void Remove(IConstruct construct, string metadataKey, string listKey, IReadOnlyCollection<string> ids)
    {
        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource;
        if (resource?.GetMetadata(metadataKey) is not IDictionary<string, object> existing
            || !existing.TryGetValue(listKey, out var previous) || previous is not IEnumerable<object> list)
        {
            return;
        }

        var kept = list.Where(r => r is not IDictionary<string, object> d || !ids.Contains(d["id"] as string ?? string.Empty)).ToArray();
        resource.AddMetadata(metadataKey, new Dictionary<string, object> { [listKey] = kept });
    }
}
