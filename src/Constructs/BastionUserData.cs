using Amazon.CDK.AWS.EC2;

namespace RdsStack.Library;

/// <summary>
/// The bastion's first-boot script, in named sections: the tunnel-only sshd drop-in, the logins (named operators with
/// their own keys; no sudo for <c>ec2-user</c> or <c>ssm-user</c>), automatic security updates, and publishing the SSH
/// host keys. Sections are fenced with <c># rdsstack:&lt;name&gt;:start</c> / <c>:end</c> lines so the end-to-end test can run
/// the exact text on a real sshd.
/// </summary>
internal static class BastionUserData
{
    /// <summary>Where the operators' authorized keys live: root-owned, one file per login, never editable by the login.</summary>
    public const string AuthorizedKeysDirectory = "/etc/ssh/authorized_keys";

    /// <summary>The command run instead of any shell or command a login asks for.</summary>
    public const string NoShell = "/sbin/nologin";

    public static UserData Render(string databaseEndpoint, IReadOnlyList<BastionOperator> operators, bool ec2UserLogin, string region, string hostKeysParameterName)
    {
        var permitOpen = $"{databaseEndpoint}:{PostgresDefaults.Port}";
        var userData = UserData.ForLinux();
        userData.AddCommands("set -euo pipefail");
        userData.AddCommands(SshdDropIn(permitOpen, operators, ec2UserLogin));
        userData.AddCommands(NoSudo());
        userData.AddCommands(OperatorLogins(permitOpen, operators));
        userData.AddCommands("systemctl reload sshd");
        userData.AddCommands(SecurityUpdates());
        userData.AddCommands(PublishHostKeys(region, hostKeysParameterName));
        return userData;
    }

    private static string[] Section(string name, params string[] lines) =>
        lines.Prepend($"# rdsstack:{name}:start").Append($"# rdsstack:{name}:end").ToArray();

    private static string[] SshdDropIn(string permitOpen, IReadOnlyList<BastionOperator> operators, bool ec2UserLogin)
    {
        var logins = operators.Select(o => o.Name).Prepend(ec2UserLogin ? "ec2-user" : null).OfType<string>().ToList();
        return Section(
            "sshd",
            "# Read before the distribution's own drop-ins, so these values win (sshd keeps the first value it reads).",
            "cat > /etc/ssh/sshd_config.d/10-rdsstack.conf <<'SSHD'",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "AuthenticationMethods publickey",
            "PermitRootLogin no",
            // EC2 Instance Connect would let any IAM principal with ec2-instance-connect:SendSSHPublicKey push a key
            // for any login, bypassing the committed list.
            "AuthorizedKeysCommand none",
            $"AuthorizedKeysFile {AuthorizedKeysDirectory}/%u .ssh/authorized_keys",
            logins.Count == 0 ? "DenyUsers *" : $"AllowUsers {string.Join(' ', logins)}",
            "PermitTTY no",
            $"ForceCommand {NoShell}",
            "PermitUserRC no",
            "PermitUserEnvironment no",
            "X11Forwarding no",
            "AllowAgentForwarding no",
            "AllowStreamLocalForwarding no",
            "PermitTunnel no",
            "GatewayPorts no",
            "AllowTcpForwarding local",
            $"PermitOpen {permitOpen}",
            "MaxAuthTries 3",
            "ClientAliveInterval 300",
            "SSHD");
    }

    private static string[] NoSudo() => Section(
        "no-sudo",
        "# cloud-init gives ec2-user passwordless sudo; take it and the wheel group away.",
        "rm -f /etc/sudoers.d/90-cloud-init-users",
        "if id -nG ec2-user | grep -qw wheel; then gpasswd -d ec2-user wheel; fi",
        "# The SSM agent adds a sudoers entry only when it creates ssm-user itself (agent 2.3.634.0 and later), so create it first: no sudo, no shell.",
        "id -u ssm-user >/dev/null 2>&1 || useradd --create-home --shell " + NoShell + " ssm-user");

    private static string[] OperatorLogins(string permitOpen, IReadOnlyList<BastionOperator> operators)
    {
        // Password '*': no password can ever match, yet the account is not locked ('!'), which sshd without PAM refuses.
        var lines = new List<string> { $"install -d -m 755 -o root -g root {AuthorizedKeysDirectory}" };
        foreach (var person in operators)
        {
            lines.Add($"id -u {person.Name} >/dev/null 2>&1 || useradd --create-home --shell {NoShell} --password '*' --comment 'RdsStack operator' {person.Name}");
            lines.Add($"printf '%s\\n' 'restrict,port-forwarding,permitopen=\"{permitOpen}\" {person.KeyWithoutComment} {person.Name}' > {AuthorizedKeysDirectory}/{person.Name}");
            lines.Add($"chmod 644 {AuthorizedKeysDirectory}/{person.Name}");
        }

        return Section("operators", lines.ToArray());
    }

    private static string[] SecurityUpdates() => Section(
        "updates",
        "# Amazon Linux 2023 locks dnf to the image's release; follow the latest release so updates arrive.",
        "echo latest > /etc/dnf/vars/releasever",
        "# The instance boots without a public address; the Elastic IP arrives moments later. Wait for it.",
        "for attempt in $(seq 1 60); do dnf -y install dnf-automatic && break; sleep 10; done",
        "rpm -q dnf-automatic",
        "sed -i -e 's/^upgrade_type.*/upgrade_type = security/' -e 's/^apply_updates.*/apply_updates = yes/' /etc/dnf/automatic.conf",
        "systemctl enable --now dnf-automatic.timer");

    private static string[] PublishHostKeys(string region, string parameterName) => Section(
        "host-keys",
        "# Publish the SSH host public keys (type and key, no comment) so operators can check fingerprints before first use.",
        "host_keys=$(for f in /etc/ssh/ssh_host_*_key.pub; do cut -d' ' -f1,2 \"$f\"; done)",
        $"for attempt in $(seq 1 30); do aws ssm put-parameter --region {region} --name {parameterName} --type String --overwrite --value \"$host_keys\" && break; sleep 10; done");
}
