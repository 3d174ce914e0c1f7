using RdsStack.Library;

namespace RdsStack.App;

/// <summary>
/// Whether the environments are isolated from each other by AWS accounts — the only boundary IAM cannot blur. In one
/// account anyone with broad IAM rights can read prod's master secret, decrypt its snapshots, schedule deletion of its
/// key or destroy another developer's sandbox. Production sharing an account with dev or the sandboxes is refused.
/// </summary>
public sealed record AccountIsolation
{
    /// <summary>True when every environment has an account and production's is its own.</summary>
    public required bool Isolated { get; init; }

    /// <summary>One plain sentence for the stack's report and synth output.</summary>
    public required string Statement { get; init; }

    /// <summary>
    /// Assesses <paramref name="placed"/> (every environment, built or not — a sandbox account counts even without a
    /// sandbox stack) and refuses production in the account of dev or the sandboxes.
    /// </summary>
    public static AccountIsolation Assess(IReadOnlyList<EnvironmentSettings> placed)
    {
        var production = placed.Where(e => e.Production).ToList();
        foreach (var prod in production.Where(p => p.Account is not null))
        {
            foreach (var other in placed.Where(e => !e.Production && e.Account == prod.Account && e.Name is "dev" or "sandbox"))
            {
                throw new InvalidSettingException(
                    $"account.{prod.Name}",
                    prod.Account,
                    $"an account of its own: '{other.Name}' is placed in the same account {prod.Account}, where anyone with broad IAM rights for {other.Name} could read {prod.Name}'s master secret, decrypt its snapshots or schedule deletion of its key. Give {prod.Name} its own account in config/{AccountsConfiguration.FileName}");
            }
        }

        var unplaced = placed.Where(e => e.Account is null).Select(e => e.Name).ToList();
        if (unplaced.Count == placed.Count)
        {
            return new AccountIsolation
            {
                Isolated = false,
                Statement = $"Environments are NOT isolated: config/{AccountsConfiguration.FileName} names no account, so every stack deploys into whatever account the credentials point at, and dev, staging, prod and the sandboxes can share one account and its IAM administrators.",
            };
        }

        if (unplaced.Count > 0)
        {
            return new AccountIsolation
            {
                Isolated = false,
                Statement = $"Environments are only partly isolated: {string.Join(", ", unplaced)} name(s) no account in config/{AccountsConfiguration.FileName} and deploy wherever the credentials point, possibly into another environment's account.",
            };
        }

        var shared = placed.GroupBy(e => e.Account).Where(g => g.Count() > 1).Select(g => $"{string.Join(" and ", g.Select(e => e.Name))} share {g.Key}").ToList();
        return new AccountIsolation
        {
            Isolated = true,
            Statement = "Environments are isolated by account: " + string.Join("; ", placed.Select(e => $"{e.Name} {e.Account} ({e.Region})"))
                + (shared.Count > 0 ? $". Shared on purpose: {string.Join("; ", shared)} (production shares with neither dev nor the sandboxes)." : "."),
        };
    }
}
