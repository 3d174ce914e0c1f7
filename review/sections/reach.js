'use strict';
// Report section: who can reach each database — the network paths (security groups, CIDRs, group-to-group) and
// the IAM paths (rds-db:connect, reading the master secret, using the key that decrypts it).
const { show, target, table, ports, peer, securityGroupRules, statementsOf, allowsAction, referencedIds, identityStatements, byType } = require('../template-helpers');

/** What a security group is attached to in this template, and where it is handed out. */
function attachments(resources, outputs, groupId) {
  const found = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    const groups = [].concat(p.SecurityGroupIds ?? [], p.SecurityGroups ?? [], p.VpcConfig?.SecurityGroupIds ?? [], p.VPCSecurityGroups ?? [],
      ...[].concat(p.NetworkInterfaces ?? []).map((n) => n.GroupSet ?? []));
    if (groups.some((g) => target(g) === groupId)) found.push(`${id} (${r.Type})`);
  }
  for (const [id, o] of Object.entries(outputs ?? {})) {
    if (referencedIds(o.Value).has(groupId)) found.push(`output ${id}${o.Export ? ` (exported as ${show(o.Export.Name)})` : ''}: for resources outside this stack`);
  }
  return found;
}

/** EC2 instances that carry a security group (directly or on their network interfaces). */
function attachedInstances(resources, groupId) {
  return Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EC2::Instance'
    && [].concat(r.Properties?.SecurityGroupIds ?? [], ...[].concat(r.Properties?.NetworkInterfaces ?? []).map((n) => n.GroupSet ?? []))
      .some((g) => target(g) === groupId)).map(([id]) => id);
}

/**
 * True when the instance's role lets the SSM agent open Session Manager data channels, i.e. Session Manager can reach
 * it: the AWS-managed AmazonSSMManagedInstanceCore, or a policy of the role's own allowing ssmmessages:OpenDataChannel.
 */
function hasSessionManager(resources, instanceId) {
  const profile = resources[target(resources[instanceId]?.Properties?.IamInstanceProfile)];
  const roles = [].concat(profile?.Properties?.Roles ?? []).map(target);
  const managed = roles.some((role) => [].concat(resources[role]?.Properties?.ManagedPolicyArns ?? []).some((arn) => show(arn).includes('AmazonSSMManagedInstanceCore')));
  const own = Object.values(resources).some((r) => (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
    && [].concat(r.Properties?.Roles ?? []).map(target).some((role) => roles.includes(role))
    && [].concat(r.Properties?.PolicyDocument?.Statement ?? []).some((st) => st.Effect === 'Allow' && [].concat(st.Action ?? []).includes('ssmmessages:OpenDataChannel')));
  return managed || own;
}

function render(stackName, template) {
  const resources = template.Resources ?? {};
  const rules = securityGroupRules(resources);
  const statements = identityStatements(resources);
  const out = ['## Who can reach the database', ''];
  for (const [dbId, db] of byType(resources, 'AWS::RDS::DBInstance')) {
    const p = db.Properties ?? {};
    const dbGroups = [].concat(p.VPCSecurityGroups ?? []).map((g) => target(g) ?? show(g));
    out.push(`### Network paths to ${dbId}`, '');
    out.push(`${p.PubliclyAccessible ? 'PUBLICLY ACCESSIBLE' : 'Not publicly accessible'}; subnet group ${show(target(p.DBSubnetGroupName) ?? p.DBSubnetGroupName)}; port ${show(p.Port ?? '(engine default)')}; security group(s) ${dbGroups.join(', ')}.`, '');
    const rows = [];
    for (const rule of rules.filter((r) => r.direction === 'ingress' && dbGroups.includes(r.group))) {
      const sourceGroup = target(rule.rule.SourceSecurityGroupId);
      if (sourceGroup) {
        const into = rules.filter((r) => r.direction === 'ingress' && r.group === sourceGroup).map((r) => `${ports(r.rule)} from ${peer(r.rule, 'ingress')}`);
        if (attachedInstances(resources, sourceGroup).some((id) => hasSessionManager(resources, id))) {
          into.push('Session Manager port forwarding (no inbound rule: the SSM agent connects out), for identities allowed ssm:StartSession on the instance');
        }
        rows.push([`security group ${sourceGroup} (${resources[sourceGroup]?.Properties?.GroupDescription ?? 'imported'})`, ports(rule.rule), attachments(resources, template.Outputs, sourceGroup).join('; ') || 'not attached in this stack',
          into.length ? into.join('; ') : 'no inbound rule (only what runs inside it)']);
      } else {
        rows.push([`network ${peer(rule.rule, 'ingress')}`, ports(rule.rule), 'any address in that range', 'direct (no security group in between)']);
      }
    }
    out.push(table(['Source', 'Into the database on', 'Who is in the source', 'How the source itself is reached'], rows));

    out.push(`### IAM paths to ${dbId}`, '');
    const secretIds = new Set([dbId]);
    const keyId = target(p.MasterUserSecret?.KmsKeyId);
    const iamRows = [];
    for (const { roles, statement, source } of statements) {
      if (statement.Effect !== 'Allow') continue;
      const [s] = statementsOf({ Statement: [statement] });
      const resourcesOf = [].concat(statement.Resource ?? []);
      const touches = (ids) => resourcesOf.some((r) => r === '*' || [...referencedIds(r)].some((x) => ids.has(x)));
      if (allowsAction(statement.Action, 'rds-db:connect') && touches(secretIds)) iamRows.push(['rds-db:connect (IAM database authentication)', roles.join(', '), s.resources, source]);
      if (allowsAction(statement.Action, 'secretsmanager:GetSecretValue') && touches(secretIds)) iamRows.push(['read the master secret', roles.join(', '), s.resources, source]);
      if (keyId && allowsAction(statement.Action, 'kms:Decrypt') && touches(new Set([keyId]))) iamRows.push([`decrypt with ${keyId}`, roles.join(', '), s.resources, source]);
    }
    if (keyId && resources[keyId]) {
      for (const s of statementsOf(resources[keyId].Properties?.KeyPolicy)) {
        if (s.effect === 'Allow' && allowsAction(s.actions.split(', '), 'kms:Decrypt')) iamRows.push([`decrypt with ${keyId} (key policy)`, s.principal, s.condition || 'no condition', `key policy of ${keyId}`]);
      }
    }
    out.push(table(['Path', 'Who', 'On', 'Granted by'], iamRows));
    out.push('An account principal in a key policy delegates to IAM: any identity of that account whose own policies allow the action. Managed policies attached to roles (listed under IAM) are AWS-managed and not expanded here.', '');
  }
  if (byType(resources, 'AWS::RDS::DBInstance').length === 0) out.push('_No database in this stack._', '');
  return out.join('\n');
}

module.exports = { render };
