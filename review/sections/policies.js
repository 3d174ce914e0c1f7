'use strict';
// Report section: the policies that guard the data — each key's policy and every grant of the key, the secret's
// resource policy (or that there is none), and every parameter-group value.
const { show, target, table, statementsOf, allowsAction, referencedIds, identityStatements, byType } = require('../template-helpers');

const KMS_USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:CreateGrant'];
const SECRET_READ = ['secretsmanager:GetSecretValue'];

/** Where the key's id or ARN is used by a resource property: the service then uses the key for that resource. */
function keyUses(resources, keyId) {
  const uses = [];
  const walk = (value, where, owner) => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${where}[${i}]`, owner));
    if (!value || typeof value !== 'object') return;
    if ((value.Ref === keyId) || (Array.isArray(value['Fn::GetAtt']) && value['Fn::GetAtt'][0] === keyId)) { uses.push([owner, where]); return; }
    for (const [k, v] of Object.entries(value)) walk(v, where ? `${where}.${k}` : k, owner);
  };
  for (const [id, r] of Object.entries(resources)) {
    if (id === keyId || r.Type === 'AWS::KMS::Alias' || r.Type.startsWith('AWS::IAM::')) continue;
    walk(r.Properties ?? {}, '', `${id} (${r.Type})`);
  }
  return uses;
}

function render(stackName, template) {
  const resources = template.Resources ?? {};
  const statements = identityStatements(resources);
  const out = ['## Policies', ''];

  for (const [keyId, key] of byType(resources, 'AWS::KMS::Key')) {
    out.push(`### Key policy of ${keyId}`, '', table(['Sid', 'Effect', 'Principal', 'Actions', 'Resources', 'Condition'],
      statementsOf(key.Properties?.KeyPolicy).map((s, i) => [[].concat(key.Properties?.KeyPolicy?.Statement ?? [])[i]?.Sid ?? '', s.effect, s.principal, s.actions, s.resources, s.condition])));
    const aliases = byType(resources, 'AWS::KMS::Alias').filter(([, a]) => target(a.Properties?.TargetKeyId) === keyId).map(([, a]) => show(a.Properties.AliasName));
    if (aliases.length) out.push(`Aliases: ${aliases.join(', ')}.`, '');
    out.push(`### Grants of ${keyId}`, '');
    out.push('Identity-policy statements of this stack that allow a key action on this key (or on every key):', '');
    const grants = statements.filter(({ statement }) => KMS_USE.some((a) => allowsAction(statement.Action, a))
      && ([].concat(statement.Resource ?? []).some((r) => r === '*' || referencedIds(r).has(keyId))));
    out.push(table(['Roles', 'Effect', 'Actions', 'Resources', 'Condition', 'Policy'], grants.map(({ roles, statement, source }) => {
      const [s] = statementsOf({ Statement: [statement] });
      return [roles.join(', '), s.effect, s.actions, s.resources, s.condition, source];
    })));
    out.push('Resources whose service uses the key on the caller\'s behalf (through the key policy and service grants):', '');
    out.push(table(['Resource', 'Property'], keyUses(resources, keyId)));
  }

  out.push('### Secrets and their resource policies', '');
  const secrets = [];
  for (const [id, db] of byType(resources, 'AWS::RDS::DBInstance')) {
    if (db.Properties?.ManageMasterUserPassword) secrets.push({ id: `${id}.MasterUserSecret`, what: `master credentials of ${id}, created and rotated by RDS, encrypted with ${show(target(db.Properties.MasterUserSecret?.KmsKeyId) ?? 'aws/secretsmanager')}`, refs: new Set([id]) });
  }
  for (const [id, secret] of byType(resources, 'AWS::SecretsManager::Secret')) secrets.push({ id, what: show(secret.Properties?.Description ?? 'secret'), refs: new Set([id]) });
  const policies = byType(resources, 'AWS::SecretsManager::ResourcePolicy');
  const rows = secrets.map((s) => {
    const attached = policies.filter(([, p]) => [...referencedIds(p.Properties?.SecretId)].some((r) => s.refs.has(r)));
    const policy = attached.length
      ? attached.map(([pid, p]) => `${pid}: ${statementsOf(p.Properties.ResourcePolicy).map((st) => `${st.effect} ${st.principal} ${st.actions}${st.condition ? ` if ${st.condition}` : ''}`).join('; ')}`).join(' / ')
      : 'none: only identity policies of this account (and the key policy of its key) decide who reads it';
    const readers = statements.filter(({ statement }) => statement.Effect === 'Allow' && SECRET_READ.some((a) => allowsAction(statement.Action, a))
      && [].concat(statement.Resource ?? []).some((r) => r === '*' || [...referencedIds(r)].some((x) => s.refs.has(x))));
    return [s.id, s.what, policy, readers.length ? readers.map((r) => r.roles.join(', ')).join('; ') : 'no role in this stack'];
  });
  out.push(table(['Secret', 'What', 'Resource policy', 'Roles of this stack allowed to read it'], rows));

  out.push('### Parameter groups', '');
  for (const [id, group] of byType(resources, 'AWS::RDS::DBParameterGroup')) {
    const p = group.Properties ?? {};
    const users = byType(resources, 'AWS::RDS::DBInstance').filter(([, db]) => target(db.Properties?.DBParameterGroupName) === id).map(([dbId]) => dbId);
    out.push(`#### ${id} (family ${show(p.Family)}; used by ${users.join(', ') || 'nothing in this stack'})`, '');
    out.push(table(['Parameter', 'Value'], Object.entries(p.Parameters ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, show(v)])));
  }
  return out.join('\n');
}

module.exports = { render };
