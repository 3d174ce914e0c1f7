'use strict';
// Reviewer report section "Isolation and data governance": account isolation, the database parameter group, the
// key policies (administration vs use), and the AWS Backup plan with its vault lock — all read from the template.
const { show } = require('../report');

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
function table(headers, rows) {
  if (rows.length === 0) return '_None._\n';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}
const list = (value) => [].concat(value ?? []);
const conditions = (statement) => Object.entries(statement.Condition ?? {})
  .flatMap(([operator, tests]) => Object.entries(tests).map(([key, value]) => `${operator} ${key} = ${list(value).map(show).join(', ')}`)).join('; ');

/** The role of one key-policy statement, in a reviewer's words. */
function purpose(statement) {
  const actions = list(statement.Action);
  const principal = statement.Principal === '*' ? '*' : show(statement.Principal?.AWS ?? statement.Principal?.Service ?? statement.Principal);
  if (statement.Effect === 'Deny') return actions.includes('kms:CreateGrant') && actions.length === 1 ? 'deny grants not for AWS resources (CT.KMS.PR.3)' : 'deny deletion / policy changes except the administrator and deployment roles';
  if (actions.includes('kms:PutKeyPolicy') || actions.includes('kms:Put*')) return `administration by ${principal} (through IAM policies)`;
  if (actions.length === 1 && actions[0] === 'kms:CreateGrant') return `grants for AWS resources by ${principal}, through ${list(statement.Condition?.StringEquals?.['kms:ViaService']).map(show).join(', ')}`;
  if (statement.Condition?.StringEquals?.['kms:ViaService'] || statement.Condition?.StringEquals?.['kms:CallerAccount']) return `use by ${principal} only through ${list(statement.Condition.StringEquals['kms:ViaService']).map(show).join(', ')}`;
  if (statement.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn']) return `use by ${principal} for log groups ${list(statement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).map(show).join(', ')}`;
  return `use by ${principal}`;
}

function render(stackName, template) {
  const resources = template.Resources ?? {};
  const byType = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const out = ['## Isolation and data governance', ''];

  const isolation = template.Metadata?.['RdsStack::Isolation'];
  out.push(`**Account isolation:** ${isolation ? isolation.statement : 'not assessed (stack built outside the RdsStack app).'}`, '');

  out.push('### Database parameters', '');
  for (const [id, group] of byType('AWS::RDS::DBParameterGroup')) {
    out.push(`${id} (${group.Properties?.Family}):`, '');
    out.push(table(['Parameter', 'Value'], Object.entries(group.Properties?.Parameters ?? {}).map(([k, v]) => [k, show(v)])));
  }
  out.push('`pgaudit` needs `CREATE EXTENSION pgaudit;` once per database (see README "Logs without secrets").', '');

  out.push('### Key policies: administration and use', '');
  for (const [id, key] of byType('AWS::KMS::Key')) {
    const statements = list(key.Properties?.KeyPolicy?.Statement);
    const deny = statements.find((s) => s.Effect === 'Deny' && list(s.Action).includes('kms:ScheduleKeyDeletion'));
    const who = deny
      ? `only ${list(deny.Condition?.ArnNotLike?.['aws:PrincipalArn']).map(show).join(' and ')}`
      : 'any principal of the account whose IAM policy allows it (no administrator role configured)';
    out.push(`${id}: key deletion and policy changes by ${who}; bypass of the lockout safety check: ${key.Properties?.BypassPolicyLockoutSafetyCheck ? 'ON' : 'off'}.`, '');
    out.push(table(['Sid', 'Effect', 'Purpose', 'Condition'], statements.map((s) => [s.Sid ?? '', s.Effect, purpose(s), conditions(s)])));
  }

  out.push('### Backups outside the database', '');
  const vaults = byType('AWS::Backup::BackupVault');
  if (vaults.length === 0) {
    out.push('No AWS Backup plan: the database relies on RDS automated backups in its own account, region and key.', '');
  }
  for (const [id, vault] of vaults) {
    const lock = vault.Properties?.LockConfiguration;
    const mode = lock ? (lock.ChangeableForDays !== undefined ? `compliance mode (immutable ${lock.ChangeableForDays} days after creation)` : 'governance mode') : 'NO LOCK';
    out.push(`Vault ${id}: key ${show(vault.Properties?.EncryptionKeyArn)}; lock ${mode}, minimum retention ${lock?.MinRetentionDays ?? '-'} days${lock?.MaxRetentionDays ? `, maximum ${lock.MaxRetentionDays}` : ''}; DeletionPolicy ${vault.DeletionPolicy ?? 'Delete'}.`, '');
  }
  const plans = byType('AWS::Backup::BackupPlan');
  out.push(table(['Plan', 'Rule', 'Schedule', 'Kept (days)', 'Copy to', 'Copy kept (days)'], plans.flatMap(([id, plan]) => list(plan.Properties?.BackupPlan?.BackupPlanRule).map((rule) => [
    id, rule.RuleName, rule.ScheduleExpression, rule.Lifecycle?.DeleteAfterDays ?? 'forever',
    list(rule.CopyActions).map((c) => show(c.DestinationBackupVaultArn)).join(', ') || 'none',
    list(rule.CopyActions).map((c) => c.Lifecycle?.DeleteAfterDays ?? 'forever').join(', ') || '-',
  ]))));
  return out.join('\n');
}

module.exports = { render };
