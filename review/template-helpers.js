'use strict';
// Small helpers shared by the report and its sections: reading CloudFormation values and writing Markdown tables.

/** Renders CloudFormation intrinsics readably: Ref X -> X, GetAtt X.A -> X.A, Join -> joined text. */
function show(value) {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(show).join(', ');
  if ('Ref' in value) return value.Ref.startsWith('AWS::') ? `\${${value.Ref}}` : value.Ref;
  if ('Fn::GetAtt' in value) return value['Fn::GetAtt'].join('.');
  if ('Fn::Join' in value) return value['Fn::Join'][1].map(show).join(value['Fn::Join'][0]);
  if ('Fn::Sub' in value) return typeof value['Fn::Sub'] === 'string' ? value['Fn::Sub'] : value['Fn::Sub'][0];
  if ('Fn::Select' in value) return `${show(value['Fn::Select'][1])}[${value['Fn::Select'][0]}]`;
  if ('Fn::Split' in value) return `split(${value['Fn::Split'][0]}, ${show(value['Fn::Split'][1])})`;
  return JSON.stringify(value);
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const target = (value) => (value && typeof value === 'object' && ('Ref' in value || 'Fn::GetAtt' in value))
  ? ('Ref' in value ? value.Ref : value['Fn::GetAtt'][0]) : undefined;

function table(headers, rows) {
  if (rows.length === 0) return '_None._\n';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

function ports(rule) {
  if (rule.IpProtocol === '-1') return 'all traffic';
  const from = show(rule.FromPort);
  const to = show(rule.ToPort);
  return `${rule.IpProtocol} ${from === to ? from : `${from}-${to}`}`;
}

function peer(rule, direction) {
  const cidr = rule.CidrIp ?? rule.CidrIpv6;
  if (cidr !== undefined) return show(cidr);
  const group = direction === 'ingress' ? rule.SourceSecurityGroupId : rule.DestinationSecurityGroupId;
  if (group !== undefined) return `security group ${target(group) ?? show(group)}`;
  return show(rule.SourcePrefixListId ?? rule.DestinationPrefixListId ?? '?');
}

function securityGroupRules(resources) {
  const rules = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EC2::SecurityGroup') {
      for (const rule of p.SecurityGroupIngress ?? []) rules.push({ group: id, direction: 'ingress', rule });
      for (const rule of p.SecurityGroupEgress ?? []) rules.push({ group: id, direction: 'egress', rule });
    }
    if (r.Type === 'AWS::EC2::SecurityGroupIngress') rules.push({ group: target(p.GroupId) ?? show(p.GroupId), direction: 'ingress', rule: p });
    if (r.Type === 'AWS::EC2::SecurityGroupEgress') rules.push({ group: target(p.GroupId) ?? show(p.GroupId), direction: 'egress', rule: p });
  }
  return rules;
}

function statementsOf(document) {
  return (document?.Statement ?? []).map((s) => ({
    effect: s.Effect,
    principal: s.Principal ? show(s.Principal.AWS ?? s.Principal.Service ?? s.Principal) : '',
    actions: [].concat(s.Action ?? []).join(', '),
    resources: [].concat(s.Resource ?? []).map(show).join(', '),
    condition: s.Condition
      ? Object.entries(s.Condition).flatMap(([operator, tests]) => Object.entries(tests).map(([key, value]) => `${operator} ${key} = ${show(value)}`)).join('; ')
      : '',
  }));
}

/** True when a statement's action list covers `action` (IAM wildcards: * and ?). */
function allowsAction(actions, action) {
  return [].concat(actions ?? []).some((pattern) => new RegExp(`^${String(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action));
}

/** Every logical id a value refers to (Ref, GetAtt, and those inside Join/Sub/Select...). */
function referencedIds(value, found = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => referencedIds(v, found));
  else if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    if (Array.isArray(value['Fn::GetAtt'])) found.add(value['Fn::GetAtt'][0]);
    for (const [key, v] of Object.entries(value)) if (key !== 'Ref' && key !== 'Fn::GetAtt') referencedIds(v, found);
  }
  return found;
}

/** Every identity-policy statement of the template with the roles it applies to: [{ roles, statement, source }]. */
function identityStatements(resources) {
  const out = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const policy of p.Policies ?? []) for (const statement of [].concat(policy.PolicyDocument?.Statement ?? [])) out.push({ roles: [id], statement, source: `${id} inline ${policy.PolicyName}` });
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      const roles = [].concat(p.Roles ?? []).map((x) => target(x) ?? show(x));
      for (const statement of [].concat(p.PolicyDocument?.Statement ?? [])) out.push({ roles, statement, source: id });
    }
  }
  return out;
}

const byType = (resources, type) => Object.entries(resources).filter(([, r]) => r.Type === type);

module.exports = { show, cell, target, table, ports, peer, securityGroupRules, statementsOf, allowsAction, referencedIds, identityStatements, byType };
