'use strict';
// Reviewer report section: where alarms, RDS events and EventBridge alerts (KMS calls, AWS Backup job failures) go,
// what each alarm watches and when it fires, and what the stop/start schedules do — read from the synthesized template.

const { show } = require('../report');
const ref = (v) => (v && typeof v === 'object' ? (v.Ref ?? (v['Fn::GetAtt'] ? v['Fn::GetAtt'].join('.') : JSON.stringify(v))) : String(v));
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
function table(headers, rows) {
  if (rows.length === 0) return '_None._\n';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}
const OPERATORS = { GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '>=', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=' };

/**
 * @param {string} stackName the stack
 * @param {object} template the synthesized template
 * @returns {string} the "## Operations" markdown section
 */
function render(stackName, template) {
  const resources = Object.entries(template.Resources ?? {});
  const byType = (type) => resources.filter(([, r]) => r.Type === type);
  const out = ['## Operations', ''];

  const topics = byType('AWS::SNS::Topic').map(([id, t]) => {
    const policies = byType('AWS::SNS::TopicPolicy').filter(([, p]) => (p.Properties.Topics ?? []).some((x) => ref(x) === id));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement ?? []);
    const tlsOnly = statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    const publishers = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [].concat(s.Principal?.Service ?? s.Principal?.AWS ?? []));
    const subscriptions = byType('AWS::SNS::Subscription').filter(([, s]) => ref(s.Properties.TopicArn) === id).map(([, s]) => `${s.Properties.Protocol} ${s.Properties.Endpoint}`);
    return [id, t.Properties?.KmsMasterKeyId ? ref(t.Properties.KmsMasterKeyId) : 'NOT ENCRYPTED', tlsOnly ? 'yes' : 'NO', [...new Set(publishers)].join(', ') || '(account only)', subscriptions.join('; ') || 'NONE: its alarms and events reach nobody (config/operations.json)'];
  });
  out.push('### Notification topics', '', table(['Topic', 'Key', 'TLS only', 'Publishers allowed', 'Subscriptions'], topics));

  const events = byType('AWS::RDS::EventSubscription').map(([id, e]) => [id, e.Properties.SourceType, (e.Properties.SourceIds ?? []).map(ref).join(', '), (e.Properties.EventCategories ?? ['(all)']).join(', '), ref(e.Properties.SnsTopicArn)]);
  out.push('### RDS event subscriptions', '', table(['Subscription', 'Source type', 'Sources', 'Categories', 'Topic'], events));

  // EventBridge rules (key-change and backup-failure alerts): what they match and whether each target topic admits
  // EventBridge for that rule only (aws:SourceArn = the rule's ARN) rather than for any rule.
  const topicStatements = byType('AWS::SNS::TopicPolicy').flatMap(([, p]) => (p.Properties.Topics ?? []).map((t) => [ref(t), p.Properties.PolicyDocument.Statement ?? []]));
  const scopedTo = (topicId, ruleId) => topicStatements.filter(([t]) => t === topicId).flatMap(([, st]) => st)
    .some((st) => st.Effect === 'Allow' && [].concat(st.Principal?.Service ?? []).includes('events.amazonaws.com') && ref(st.Condition?.ArnEquals?.['aws:SourceArn']) === `${ruleId}.Arn`);
  const rules = byType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern).map(([id, r]) => {
    const p = r.Properties.EventPattern;
    const d = p.detail ?? {};
    const what = d.eventName ? `calls: ${d.eventName.join(', ')}` : d.state ? `state: ${d.state.join(', ')}` : show(d);
    const matchedBy = (d.$or ?? []).map((m) => Object.entries(m).map(([k, v]) => (v && !Array.isArray(v) && typeof v === 'object' ? `${k}.${Object.keys(v).join('/')}` : k)).join('+')).join(' or ') || '(any)';
    const targets = (r.Properties.Targets ?? []).map((t) => `${ref(t.Arn)}${scopedTo(ref(t.Arn), id) ? ' (this rule only)' : ' (NOT scoped to this rule)'}`);
    return [id, (p.source ?? []).join(', '), (p['detail-type'] ?? []).join(', '), what, matchedBy, targets.join('; ') || 'none'];
  });
  out.push('### EventBridge rules', '', table(['Rule', 'Source', 'Detail type', 'Matches', 'This stack\'s resources by', 'Targets'], rules));

  const alarms = byType('AWS::CloudWatch::Alarm').map(([id, a]) => {
    const p = a.Properties;
    const dims = (p.Dimensions ?? []).map((d) => `${d.Name}=${ref(d.Value)}`).join(', ');
    return [id, `${p.Namespace}/${p.MetricName} (${dims})`, `${p.Statistic ?? p.ExtendedStatistic} ${OPERATORS[p.ComparisonOperator] ?? p.ComparisonOperator} ${p.Threshold}`,
      `${p.DatapointsToAlarm ?? p.EvaluationPeriods} of ${p.EvaluationPeriods} x ${p.Period} s`, p.TreatMissingData ?? 'missing',
      `alarm: ${(p.AlarmActions ?? []).map(ref).join(', ') || 'none'}; ok: ${(p.OKActions ?? []).map(ref).join(', ') || 'none'}`];
  });
  out.push('### Alarms', '', table(['Alarm', 'Metric', 'Fires when', 'Periods', 'Missing data', 'Actions'], alarms));

  const schedules = byType('AWS::Scheduler::Schedule').map(([id, s]) => {
    const p = s.Properties;
    return [id, `${p.ScheduleExpression} ${p.ScheduleExpressionTimezone ?? 'UTC'}`, p.State ?? 'ENABLED', String(p.Target.Arn).replace(/^arn:[^:]+:scheduler:::/, ''), show(p.Target.Input), ref(p.Target.RoleArn)];
  });
  out.push('### Schedules', '', table(['Schedule', 'When', 'State', 'Calls', 'Input', 'Role'], schedules));
  return out.join('\n');
}

module.exports = { render };
