'use strict';
// The "Access" section of the reviewer report: who can reach this stack's database, and how. Read from the template
// alone: the bastion's SSH ingress (operator networks), its logins (named operators with their key fingerprints,
// recomputed here from the keys in the template), the operator policy's statements and the database users it allows
// (each rds-db:connect statement's dbuser and the principal tag its condition demands), and the bastion role's permissions.
const crypto = require('crypto');

const { show } = require('../template-helpers');

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ref = (value) => (value && typeof value === 'object') ? (value.Ref ?? (value['Fn::GetAtt'] ?? [])[0]) : undefined;

function table(headers, rows) {
  if (rows.length === 0) return '_None._\n';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

/** The SHA256 fingerprint ssh-keygen -lf prints for an OpenSSH public key line. */
function fingerprint(publicKey) {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1], 'base64');
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

function statements(document) {
  return [].concat(document?.Statement ?? []).map((s) => [
    s.Sid ?? '',
    s.Effect,
    [].concat(s.Action ?? []).join(', '),
    [].concat(s.Resource ?? []).map(show).join(', '),
    s.Condition ? Object.entries(s.Condition).flatMap(([op, tests]) => Object.entries(tests).map(([k, v]) => `${op} ${k} = ${show(v)}`)).join('; ') : '',
  ]);
}

/** Each rds-db:connect statement's database user (the dbuser resource's last path segment) and the tag it demands. */
function databaseUsers(document) {
  return [].concat(document?.Statement ?? []).filter((s) => s.Effect === 'Allow' && [].concat(s.Action ?? []).includes('rds-db:connect')).flatMap((s) => {
    const tests = Object.entries(s.Condition?.StringEquals ?? {}).filter(([k]) => k.startsWith('aws:PrincipalTag/'));
    const tag = tests.map(([k, v]) => `${k} = ${show(v)}`).join('; ') || '(none)';
    return [].concat(s.Resource ?? []).map((r) => {
      const user = show(r).split('/').pop();
      return { user, tag, bound: tests.length === 1 && [].concat(tests[0][1]).length === 1 && [].concat(tests[0][1])[0] === user };
    });
  });
}

function render(stackName, template) {
  const resources = template.Resources ?? {};
  const byType = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const out = ['## Access', ''];
  const instances = byType('AWS::EC2::Instance');
  const policies = byType('AWS::IAM::ManagedPolicy');
  const operatorPolicy = policies.find(([, p]) => !p.Properties?.Roles);
  if (instances.length === 0) {
    out.push('No bastion: the database is reachable only from inside the VPC.', '');
  }
  for (const [instanceId, instance] of instances) {
    const p = instance.Properties ?? {};
    const groups = new Set([].concat(p.SecurityGroupIds ?? [], ...(p.NetworkInterfaces ?? []).map((n) => n.GroupSet ?? [])).map(ref));
    const ssh = [];
    for (const [, r] of Object.entries(resources)) {
      const rules = r.Type === 'AWS::EC2::SecurityGroup' ? [] : r.Type === 'AWS::EC2::SecurityGroupIngress' ? [r.Properties] : [];
      for (const rule of rules) if (groups.has(ref(rule.GroupId)) && (rule.CidrIp || rule.CidrIpv6)) ssh.push([rule.CidrIp ?? rule.CidrIpv6, `${rule.IpProtocol} ${rule.FromPort}`, rule.Description ?? '']);
    }
    for (const [groupId, g] of byType('AWS::EC2::SecurityGroup')) {
      if (!groups.has(groupId)) continue;
      for (const rule of g.Properties?.SecurityGroupIngress ?? []) if (rule.CidrIp || rule.CidrIpv6) ssh.push([rule.CidrIp ?? rule.CidrIpv6, `${rule.IpProtocol} ${rule.FromPort}`, rule.Description ?? '']);
    }
    out.push(`### Bastion ${instanceId}`, '');
    out.push('**Operator networks** (SSH ingress):', '', table(['Network', 'Port', 'Rule'], ssh));

    const operators = instance.Metadata?.['RdsStack::Operators'] ?? [];
    const logins = operators.map((o) => {
      const recomputed = fingerprint(o.publicKey);
      return [o.name, recomputed, recomputed === o.fingerprint ? 'named operator (committed list); recorded fingerprint matches' : `named operator; MISMATCH with the recorded ${o.fingerprint}`];
    });
    if (p.KeyName) {
      const keyPair = resources[ref(p.KeyName)]?.Properties ?? {};
      logins.push(['ec2-user', keyPair.PublicKeyMaterial ? fingerprint(keyPair.PublicKeyMaterial) : '(EC2-generated; private key in SSM /ec2/keypair/<id>)', `EC2 key pair ${ref(p.KeyName)}: this one-person environment's owner`]);
    }
    out.push('**SSH logins** (each tunnel-only: no shell, TTY, sudo, agent/X11 forwarding; forwarding to the database endpoint only):', '');
    out.push(table(['Login', 'Key fingerprint (SHA256, as `ssh-keygen -lf` prints it)', 'Source'], logins));
    if (logins.length === 0 || ssh.length === 0) {
      out.push('Nobody can log in over SSH: the database is reached only through Session Manager port forwarding with the stack\'s tunnel document, by principals holding the operator policy below.', '');
    }
    const hostKeys = byType('AWS::SSM::Parameter').find(([, prm]) => String(prm.Properties?.Name ?? '').endsWith('/bastion/host-keys'));
    if (hostKeys) out.push(`Host keys are published by the instance at boot to \`${hostKeys[1].Properties.Name}\`; verify with the \`BastionHostKeyFingerprintsCommand\` output.`, '');

    const profile = resources[ref(p.IamInstanceProfile)]?.Properties ?? {};
    const roleId = ref([].concat(profile.Roles ?? [])[0]);
    const role = resources[roleId]?.Properties ?? {};
    const roleStatements = [];
    for (const policy of role.Policies ?? []) roleStatements.push(...statements(policy.PolicyDocument));
    for (const [, policy] of [...byType('AWS::IAM::Policy'), ...policies]) {
      if ([].concat(policy.Properties?.Roles ?? []).some((r) => ref(r) === roleId)) roleStatements.push(...statements(policy.Properties.PolicyDocument));
    }
    const managed = [].concat(role.ManagedPolicyArns ?? []).map(show);
    out.push(`**Bastion role ${roleId}** (AWS-managed policies: ${managed.length ? managed.join(', ') : 'none'}):`, '');
    out.push(table(['Sid', 'Effect', 'Actions', 'Resources', 'Condition'], roleStatements));
  }
  if (operatorPolicy) {
    out.push(`### Operator policy ${operatorPolicy[0]}`, '');
    out.push('Customer-managed, attached to nobody by the stack: the platform team attaches it (output `OperatorPolicyArn`) to the roles or IAM Identity Center permission sets of the people who may reach this database.', '');
    out.push(table(['Sid', 'Effect', 'Actions', 'Resources', 'Condition'], statements(operatorPolicy[1].Properties?.PolicyDocument)));
    const users = databaseUsers(operatorPolicy[1].Properties?.PolicyDocument);
    out.push('**Allowed database users** (`rds-db:connect`, from `config/database-users.json`; each only for a caller whose principal tag names them):', '');
    if (users.length === 0) {
      out.push('_None_: this environment declares no people, so the policy has no `rds-db:connect` statement and nobody logs in to the database with it.', '');
    } else {
      out.push(table(['Database user', 'Required principal tag', 'Binding'], users.map((u) => [u.user, u.tag, u.bound ? 'the caller\'s own name only' : 'NOT BOUND: the tag does not name this user'])));
    }
  }
  return out.join('\n');
}

module.exports = { render, fingerprint, databaseUsers };
