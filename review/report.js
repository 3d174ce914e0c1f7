'use strict';
// Builds the reviewer's Markdown report of one stack from its synthesized template and the rule-pack
// results, so the report can never drift from what would be deployed.
const access = require('./sections/access');

const { show, target, table, ports, peer, securityGroupRules, statementsOf } = require('./template-helpers');
const controlTowerSection = require('./sections/control-tower');
const validationSection = require('./sections/validation');
const reachSection = require('./sections/reach');
const policiesSection = require('./sections/policies');

/**
 * @param {object} template the synthesized template
 * @param {{stack:string, packs:string[], findings:object[], acknowledged:object[], errors:object[], compliant:number}} nag
 * @param {{controlTower: object, schema: object, cfnLint: object}} extras the other checks' results for this stack,
 *   handed to each section module (review/sections/<name>.js: render(stackName, template, extras) -> Markdown)
 */
function buildReport(template, nag, extras) {
  const resources = template.Resources ?? {};
  const byType = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const out = [];
  out.push(`# Security review: ${nag.stack}`, '');
  out.push(`Generated from \`${nag.stack}.template.json\` by the cdk-nag rule packs (${nag.packs.join(', ')}), the Control Tower proactive controls, the CloudFormation registry schemas and cfn-lint. Do not edit: run \`npm run review\`.`, '');
  if (template.Description) out.push(`> ${template.Description}`, '');

  out.push('## Rule packs', '');
  out.push(table(['Unacknowledged findings', 'Rule errors', 'Acknowledged', 'Compliant checks'], [[nag.findings.length, nag.errors.length, nag.acknowledged.length, nag.compliant]]));
  if (nag.findings.length > 0) {
    out.push('### Unacknowledged findings', '', table(['Rule', 'Resource', 'Finding'], nag.findings.map((f) => [f.rule, f.resource, f.info])));
  }
  if (nag.errors.length > 0) {
    out.push('### Rule errors', '', table(['Rule', 'Resource', 'Error'], nag.errors.map((e) => [e.rule, e.resource, e.message])));
  }

  out.push(controlTowerSection.render(nag.stack, template, extras));
  out.push(validationSection.render(nag.stack, template, extras));

  const sgRules = securityGroupRules(resources);
  const groupDescription = (id) => resources[id]?.Properties?.GroupDescription ?? '';
  const fromOutside = sgRules.filter((r) => r.direction === 'ingress' && (r.rule.CidrIp !== undefined || r.rule.CidrIpv6 !== undefined));
  out.push('## Internet-facing resources', '');
  const facing = [];
  for (const [id, eip] of byType('AWS::EC2::EIP')) {
    const instance = target(eip.Properties?.InstanceId);
    if (instance) {
      const props = resources[instance]?.Properties ?? {};
      const groups = new Set([].concat(props.SecurityGroupIds ?? [], ...(props.NetworkInterfaces ?? []).map((n) => n.GroupSet ?? [])).map(target));
      const open = fromOutside.filter((r) => groups.has(r.group)).map((r) => `${ports(r.rule)} from ${peer(r.rule, 'ingress')}`);
      facing.push([instance, `EC2 instance with Elastic IP ${id}`, open.length ? open.join('; ') : 'no inbound rule from outside the VPC']);
    }
  }
  for (const [id] of byType('AWS::EC2::NatGateway')) facing.push([id, 'NAT gateway', 'outbound only (no inbound connections)']);
  for (const [id, db] of byType('AWS::RDS::DBInstance')) facing.push([id, 'RDS instance', db.Properties?.PubliclyAccessible ? 'PUBLICLY ACCESSIBLE' : 'not publicly accessible (private subnets only)']);
  out.push(table(['Resource', 'What', 'Reachable from the internet on'], facing));

  out.push('## Security-group rules', '');
  out.push(table(['Security group', 'Direction', 'Ports', 'Peer', 'Description'],
    sgRules.map((r) => [`${r.group} (${groupDescription(r.group)})`, r.direction, ports(r.rule), peer(r.rule, r.direction), r.rule.Description ?? ''])));

  out.push(reachSection.render(nag.stack, template, extras));

  out.push('## Data stores and encryption', '');
  const stores = [];
  for (const [id, db] of byType('AWS::RDS::DBInstance')) {
    const p = db.Properties ?? {};
    stores.push([id, `RDS ${p.Engine} ${p.EngineVersion} (${p.DBInstanceClass})`, p.StorageEncrypted ? `storage: ${show(target(p.KmsKeyId) ?? p.KmsKeyId)}` : 'STORAGE NOT ENCRYPTED']);
    if (p.EnablePerformanceInsights) stores.push([id, 'Performance Insights', show(target(p.PerformanceInsightsKMSKeyId) ?? 'AWS-managed key')]);
    if (p.ManageMasterUserPassword) stores.push([id, 'Master credentials secret (RDS-managed, Secrets Manager)', show(target(p.MasterUserSecret?.KmsKeyId) ?? 'aws/secretsmanager')]);
    stores.push([id, 'Connections', `TLS ${p.DBParameterGroupName ? `enforced by ${target(p.DBParameterGroupName)}: rds.force_ssl=${resources[target(p.DBParameterGroupName)]?.Properties?.Parameters?.['rds.force_ssl'] ?? '?'}` : 'not enforced'}; CA ${p.CACertificateIdentifier ?? 'default'}; IAM auth ${p.EnableIAMDatabaseAuthentication ? 'on' : 'off'}`]);
  }
  for (const [id, group] of byType('AWS::Logs::LogGroup')) {
    stores.push([id, `Log group ${show(group.Properties?.LogGroupName ?? '(generated name)')}, ${group.Properties?.RetentionInDays ?? 'never-expiring'} days`, group.Properties?.KmsKeyId ? show(target(group.Properties.KmsKeyId)) : 'NOT ENCRYPTED with a customer key']);
  }
  for (const [id, instance] of byType('AWS::EC2::Instance')) {
    for (const device of instance.Properties?.BlockDeviceMappings ?? []) {
      stores.push([id, `EBS ${device.DeviceName} ${device.Ebs?.VolumeType ?? ''} ${device.Ebs?.VolumeSize ?? ''} GiB`, device.Ebs?.Encrypted ? show(target(device.Ebs.KmsKeyId) ?? 'aws/ebs') : 'NOT ENCRYPTED']);
    }
  }
  for (const [id, key] of byType('AWS::EC2::KeyPair')) {
    stores.push([id, `EC2 key pair ${show(key.Properties?.KeyName)} (${key.Properties?.KeyType ?? 'rsa'})`, key.Properties?.PublicKeyMaterial ? 'imported public key: no private key in AWS' : `private key in SSM SecureString /ec2/keypair/<key id> (aws/ssm key)`]);
  }
  out.push(table(['Resource', 'Data', 'Encryption key'], stores));
  const keys = byType('AWS::KMS::Key').map(([id, k]) => [id, k.Properties?.EnableKeyRotation ? 'on' : 'OFF', k.DeletionPolicy ?? 'Delete', k.Properties?.PendingWindowInDays ?? 30]);
  out.push('### KMS keys', '', table(['Key', 'Annual rotation', 'Deletion policy', 'Pending window (days)'], keys));

  out.push(policiesSection.render(nag.stack, template, extras));

  out.push('## Lambda functions', '');
  out.push(table(['Function', 'Runtime', 'Purpose'], byType('AWS::Lambda::Function').map(([id, f]) => [id, f.Properties?.Runtime ?? '(container)', f.Properties?.Description ?? ''])));

  out.push('## Secret rotation', '');
  out.push(table(['Schedule', 'Secret', 'Every', 'Mechanism'], byType('AWS::SecretsManager::RotationSchedule').map(([id, s]) => {
    const p = s.Properties ?? {};
    const mechanism = p.HostedRotationLambda ? `hosted Lambda ${p.HostedRotationLambda.RotationType}` : p.RotationLambdaARN ? `Lambda ${show(p.RotationLambdaARN)}` : 'managed by RDS (no Lambda, no network path)';
    return [id, show(p.SecretId), p.RotationRules?.ScheduleExpression ?? `${p.RotationRules?.AutomaticallyAfterDays} days`, mechanism];
  })));

  out.push('## Stateful resources: backups, protection, deletion', '');
  const stateful = [];
  for (const [id, db] of byType('AWS::RDS::DBInstance')) {
    const p = db.Properties ?? {};
    stateful.push([id, `${p.BackupRetentionPeriod} days`, p.DeletionProtection ? 'on' : 'off', p.MultiAZ ? 'Multi-AZ' : 'single-AZ', db.DeletionPolicy ?? 'Delete', db.UpdateReplacePolicy ?? 'Delete']);
  }
  for (const [id, key] of byType('AWS::KMS::Key')) stateful.push([id, 'n/a', 'n/a', 'n/a', key.DeletionPolicy ?? 'Delete', key.UpdateReplacePolicy ?? 'Delete']);
  for (const [id, group] of byType('AWS::Logs::LogGroup')) stateful.push([id, `${group.Properties?.RetentionInDays ?? '∞'} days retention`, 'n/a', 'n/a', group.DeletionPolicy ?? 'Delete', group.UpdateReplacePolicy ?? 'Delete']);
  out.push(table(['Resource', 'Backups', 'Deletion protection', 'Availability', 'DeletionPolicy', 'UpdateReplacePolicy'], stateful));

  out.push('## IAM', '');
  for (const [id, role] of byType('AWS::IAM::Role')) {
    const p = role.Properties ?? {};
    const trusted = statementsOf(p.AssumeRolePolicyDocument).map((s) => s.principal).join(', ');
    const attached = byType('AWS::IAM::ManagedPolicy').filter(([, m]) => [].concat(m.Properties?.Roles ?? []).some((r) => target(r) === id)).map(([mid]) => `${mid} (customer-managed, statements below)`);
    const managed = [].concat(p.ManagedPolicyArns ?? []).map(show).concat(attached).join(', ') || 'none';
    out.push(`### Role ${id}`, '', `Trusted by: ${trusted}. Managed policies: ${managed}.`, '');
    const inline = [];
    for (const policy of p.Policies ?? []) inline.push(...statementsOf(policy.PolicyDocument));
    for (const [, policy] of [...byType('AWS::IAM::Policy'), ...byType('AWS::IAM::ManagedPolicy')]) {
      if ([].concat(policy.Properties?.Roles ?? []).some((r) => target(r) === id)) inline.push(...statementsOf(policy.Properties.PolicyDocument));
    }
    out.push(table(['Effect', 'Actions', 'Resources', 'Condition'], inline.map((s) => [s.effect, s.actions, s.resources, s.condition])));
  }
  out.push('Key policies and the secret\'s resource policy: see Policies.', '');

  out.push(access.render(nag.stack, template, {}));
  out.push(require('./sections/governance').render(nag.stack, template, {}));
  out.push(require('./sections/operations').render(nag.stack, template), '');

  out.push('## Acknowledged rules (cdk-nag)', '');
  out.push('Each acknowledgement is written from C# into the resource\'s template metadata (`cdk_nag.rules_to_suppress`).', '');
  out.push(table(['Rule', 'Resource', 'Reason'], nag.acknowledged.map((a) => [a.rule, `${a.resource} (${a.type})`, a.reason])));
  return out.join('\n');
}

/** Groups acknowledgements by reason: one row per reason with its ids, resources and stacks. */
function byReason(entries) {
  const groups = new Map();
  for (const { stack, id, resource, reason } of entries) {
    if (!groups.has(reason)) groups.set(reason, { ids: new Set(), resources: new Set(), stacks: new Set() });
    const g = groups.get(reason);
    g.ids.add(id);
    // An instance whose user data causes replacement carries a 16-hex-digit digest of it in its logical id; the
    // summary shows the stable part, so it does not change with every operator list or sandbox name.
    g.resources.add(resource.replace(/^(.+[0-9A-F]{8})[0-9a-f]{16}$/, '$1*'));
    g.stacks.add(stack.replace(/^RdsStack-/, ''));
  }
  return [...groups.entries()]
    .map(([reason, g]) => [[...g.ids].sort().join(', '), [...g.resources].sort().join(', '), [...g.stacks].sort().join(', '), reason])
    .sort((a, b) => a[0].localeCompare(b[0]) || a[2].localeCompare(b[2]) || a[3].localeCompare(b[3]));
}

/**
 * The README summary: per stack, the outcome of every rule set, then what each acknowledgement is for.
 * @param {{nag: object, controlTower: object, schema: object, cfnLint: object}[]} results one per stack
 */
function buildSummary(results) {
  const out = [];
  out.push(table(['Stack', 'cdk-nag: unacknowledged / rule errors / acknowledged / compliant', 'Control Tower: met / acknowledged / unacknowledged / enforced failing', 'Schema: violations / resources', 'cfn-lint: errors / warnings'],
    results.map(({ nag, controlTower: ct, schema, cfnLint }) => [
      nag.stack,
      `${nag.findings.length} / ${nag.errors.length} / ${nag.acknowledged.length} / ${nag.compliant}`,
      `${ct.met.length} / ${ct.acknowledgedControls.length} / ${ct.findings.length} / ${ct.enforcedViolations.length}`,
      `${schema.violations.length} / ${schema.resources}`,
      cfnLint.installed ? `${cfnLint.errors.length} / ${cfnLint.warnings.length}` : 'not installed',
    ])));
  const ct = results[0]?.controlTower;
  if (ct) {
    out.push('', `Control Tower: ${ct.controlsEvaluated} proactive controls evaluated per stack; "met" counts the controls that apply to the stack and pass, "acknowledged" the controls that fail on some resource and carry a reason there. Enforced controls (\`config/controls.json\`): ${results[0].enforced?.length ? results[0].enforced.join(', ') : 'none'}.`);
  }
  out.push('', '### cdk-nag acknowledgements', '');
  out.push(table(['Rules', 'Resources', 'Stacks', 'Reason'],
    byReason(results.flatMap(({ nag }) => nag.acknowledged.map((a) => ({ stack: nag.stack, id: a.rule, resource: a.resource, reason: a.reason }))))));
  out.push('### Control Tower acknowledgements', '');
  out.push(table(['Controls', 'Resources', 'Stacks', 'Reason'],
    byReason(results.flatMap(({ controlTower }) => controlTower.acknowledged.map((a) => ({ stack: controlTower.stack, id: a.control, resource: a.resource, reason: a.reason }))))));
  return out.join('\n');
}

module.exports = { buildReport, buildSummary, show };
