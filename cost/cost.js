#!/usr/bin/env node
'use strict';
// npm run cost [-- <cdk context args>] [--no-synth] [--out DIR] [--template FILE ...] [--json FILE] [--update-readme]
// Prints an itemized monthly estimate of every synthesized environment from its template and the committed,
// dated price table (cost/prices.json): no network. Instance hours follow the stack's stop/start schedules where
// it has them (both "on its schedule" and "kept running" are shown). Every resource is either priced, listed as
// free with the reason, or listed as NOT PRICED — never silently free.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const README_ROW = '| Estimated monthly cost';
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const WEEKS_PER_MONTH = 365 / 7 / 12;

function parseArgs(argv) {
  const options = { synth: true, out: 'cdk.out', context: [], templates: [], json: null, updateReadme: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-synth') options.synth = false;
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '--template') { options.templates.push(argv[++i]); options.synth = false; }
    else if (arg === '--json') options.json = argv[++i];
    else if (arg === '--update-readme') options.updateReadme = true;
    else if (arg === '-c' || arg === '--context') options.context.push(argv[++i]);
    else throw new Error(`unknown argument '${arg}': use -c key=value, --no-synth, --out DIR, --template FILE, --json FILE or --update-readme`);
  }
  if (!options.context.some((c) => c.startsWith('sandbox='))) options.context.push('sandbox=cost');
  return options;
}

const money = (usd) => `$${usd.toFixed(2)}`;
/** A unit rate with the precision it has ($0.0046, $0.036, $0.10). */
const rate$ = (usd) => `$${Number(usd.toPrecision(3)).toString()}`;
const round2 = (n) => Math.round(n * 100) / 100;

/** Weekly running hours from cron start/stop expressions: cron(M H ? * DOW *). Null when a field is unsupported. */
function cronEvents(expression) {
  const m = /^cron\((\d+) (\d+) \? \* (\S+) \*\)$/.exec(expression ?? '');
  if (!m) return null;
  const days = new Set();
  for (const part of m[3].split(',')) {
    if (part === '*') { DAYS.forEach((_, i) => days.add(i)); continue; }
    const [from, to] = part.split('-').map((d) => DAYS.indexOf(d));
    if (from < 0 || (to !== undefined && to < 0)) return null;
    for (let d = from; ; d = (d + 1) % 7) { days.add(d); if (to === undefined || d === to) break; }
  }
  return [...days].map((d) => d * 1440 + Number(m[2]) * 60 + Number(m[1]));
}

function weeklyRunningHours(starts, stops) {
  const events = [...starts.map((t) => [t, true]), ...stops.map((t) => [t, false])].sort((a, b) => a[0] - b[0]);
  if (events.length === 0) return null;
  // Start from the state after the week's last event, then walk the week minute by minute.
  let running = events[events.length - 1][1];
  let minutes = 0;
  for (let t = 0, e = 0; t < 7 * 1440; t++) {
    while (e < events.length && events[e][0] === t) running = events[e++][1];
    if (running) minutes += 1;
  }
  return minutes / 60;
}

const refOf = (v) => (v && typeof v === 'object' && 'Ref' in v ? v.Ref : undefined);
function refsIn(value, found = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, found));
  else if (value && typeof value === 'object') {
    if ('Ref' in value) found.add(value.Ref);
    Object.values(value).forEach((v) => refsIn(v, found));
  }
  return found;
}

/** Logical id -> { hoursPerMonth, weeklyHours, description } for resources that stop/start on a schedule. */
function schedulesOf(resources) {
  const byTarget = {};
  for (const [, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Scheduler::Schedule') continue;
    const arn = r.Properties?.Target?.Arn ?? '';
    const action = /aws-sdk:(rds|ec2):(stop|start)(DBInstance|Instances)$/.exec(arn);
    if (!action) continue;
    const input = r.Properties.Target.Input;
    let targets = [];
    if (action[1] === 'rds') {
      const id = typeof input === 'string' ? JSON.parse(input).DbInstanceIdentifier : undefined;
      targets = Object.entries(resources).filter(([, d]) => d.Type === 'AWS::RDS::DBInstance' && (d.Properties.DBInstanceIdentifier === id || refOf(id) !== undefined)).map(([k]) => k);
    } else {
      targets = [...refsIn(input)].filter((k) => resources[k]?.Type === 'AWS::EC2::Instance');
    }
    const events = cronEvents(r.Properties.ScheduleExpression);
    for (const target of targets) {
      byTarget[target] ??= { starts: [], stops: [], expressions: [], unsupported: [] };
      if (!events) byTarget[target].unsupported.push(r.Properties.ScheduleExpression);
      else byTarget[target][action[2] === 'start' ? 'starts' : 'stops'].push(...events);
      byTarget[target].expressions.push(`${action[2]} ${r.Properties.ScheduleExpression} ${r.Properties.ScheduleExpressionTimezone ?? 'UTC'}`);
    }
  }
  const result = {};
  for (const [target, s] of Object.entries(byTarget)) {
    const weekly = s.unsupported.length === 0 && s.starts.length > 0 && s.stops.length > 0 ? weeklyRunningHours(s.starts, s.stops) : null;
    result[target] = weekly === null
      ? { unsupported: s.unsupported.concat(s.starts.length && s.stops.length ? [] : ['a stop without a start (or the reverse)']), expressions: s.expressions }
      : { weeklyHours: weekly, hoursPerMonth: weekly * WEEKS_PER_MONTH, expressions: s.expressions };
  }
  return result;
}

function environmentOf(stackName, resources) {
  const m = /^RdsStack-(dev|staging|prod|sandbox)(-|$)/.exec(stackName);
  if (m) return m[1];
  for (const r of Object.values(resources)) {
    const tag = (r.Properties?.Tags ?? []).find?.((t) => t.Key === 'environment');
    if (tag) return tag.Value;
  }
  return 'default';
}

/**
 * Estimates one template. Returns { stack, environment, lines, free, notPriced, scheduled, running, schedules }.
 * Each line: { item, resource, detail, monthly, runningMonthly, note, verified }.
 */
function estimate(stackName, template, table) {
  const resources = template.Resources ?? {};
  const P = table.prices;
  const H = table.hoursPerMonth;
  const env = environmentOf(stackName, resources);
  const assume = (key) => {
    const a = table.assumptions[key];
    return typeof a === 'number' ? a : (a[env] ?? a.default);
  };
  const schedules = schedulesOf(resources);
  const lines = [];
  const free = [];
  const notPriced = [];
  const add = (item, resource, detail, monthly, runningMonthly, price, note) =>
    lines.push({ item, resource, detail, monthly: round2(monthly), runningMonthly: round2(runningMonthly ?? monthly), verified: price?.verified ?? true, note: note ?? '' });
  const hoursFor = (id) => {
    const s = schedules[id];
    if (s?.hoursPerMonth !== undefined) return { hours: s.hoursPerMonth, note: `on its schedule: ${s.weeklyHours.toFixed(0)} h a week (${s.expressions.join('; ')})` };
    if (s?.unsupported) return { hours: H, note: `schedule not understood (${s.unsupported.join(', ')}): priced as always on` };
    return { hours: H, note: '' };
  };
  const flowLogGroups = new Set(Object.values(resources).filter((r) => r.Type === 'AWS::EC2::FlowLog').map((r) => refOf(r.Properties.LogGroupName)).filter(Boolean));

  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::RDS::DBInstance': {
        const cls = p.DBInstanceClass;
        const multi = p.MultiAZ === true || p.MultiAZ === 'true';
        const factor = multi ? P.rdsMultiAzFactor.usd : 1;
        const rate = P.rdsInstanceHour.byClass[cls];
        const { hours, note } = hoursFor(id);
        if (rate === undefined) notPriced.push({ resource: id, type: r.Type, reason: `instance class ${cls} is not in cost/prices.json` });
        else add('Database instance hours', id, `${cls}${multi ? ' Multi-AZ (x2)' : ''}, ${hours.toFixed(0)} h x ${rate$(rate * factor)}`, rate * factor * hours, rate * factor * H, P.rdsInstanceHour, note);
        const gib = Number(p.AllocatedStorage ?? 20);
        if (p.StorageType !== 'gp3') notPriced.push({ resource: id, type: r.Type, reason: `storage type ${p.StorageType} is not in cost/prices.json` });
        else add('Database storage (gp3)', id, `${gib} GiB${multi ? ' x2 (standby)' : ''} x ${rate$(P.rdsGp3GbMonth.usd)}, also while stopped`, gib * factor * P.rdsGp3GbMonth.usd, undefined, P.rdsGp3GbMonth);
        const days = Number(p.BackupRetentionPeriod ?? 1);
        // Backups: a full copy (free up to 100% of the provisioned storage) plus the daily changes kept for the retention.
        const beyond = gib * table.assumptions.backupChangePerDayFraction * days;
        const billable = Math.max(0, beyond);
        add('Database backup storage beyond the free allowance', id, `${days} day(s) x ${(table.assumptions.backupChangePerDayFraction * 100).toFixed(0)}% daily change of ${gib} GiB = ${beyond.toFixed(1)} GiB above the free 100% of provisioned storage (assumption)`, billable * P.rdsBackupGbMonth.usd, undefined, P.rdsBackupGbMonth);
        if (Number(p.MonitoringInterval ?? 0) > 0) {
          const gb = table.assumptions.enhancedMonitoringGbPerMonthAt60s * (60 / Number(p.MonitoringInterval));
          add('Enhanced monitoring (RDSOSMetrics log ingestion)', id, `${gb.toFixed(2)} GB a month at ${p.MonitoringInterval} s (assumption) x ${rate$(P.logsIngestGb.usd)}`, gb * P.logsIngestGb.usd * (hours / H), gb * P.logsIngestGb.usd, P.logsIngestGb, 'only while running');
        }
        if (p.EnablePerformanceInsights === true) {
          const days = Number(p.PerformanceInsightsRetentionPeriod ?? 7);
          if (days <= 7) free.push({ resource: id, type: 'Performance Insights', reason: '7 days of retention: the free tier' });
          else notPriced.push({ resource: id, type: 'Performance Insights', reason: `retention ${days} days is beyond the free tier and not in cost/prices.json` });
        }
        if (p.ManageMasterUserPassword === true) add('RDS-managed master secret', id, `1 secret x ${rate$(P.secretMonth.usd)}`, P.secretMonth.usd, undefined, P.secretMonth);
        break;
      }
      case 'AWS::EC2::Instance': {
        const type = p.InstanceType;
        const rate = P.ec2InstanceHour.byType[type];
        const { hours, note } = hoursFor(id);
        if (rate === undefined) notPriced.push({ resource: id, type: r.Type, reason: `instance type ${type} is not in cost/prices.json` });
        else add('EC2 instance hours', id, `${type}, ${hours.toFixed(0)} h x ${rate$(rate)}`, rate * hours, rate * H, P.ec2InstanceHour, note);
        for (const mapping of p.BlockDeviceMappings ?? []) {
          const ebs = mapping.Ebs ?? {};
          if (ebs.VolumeType !== 'gp3') { notPriced.push({ resource: id, type: 'EBS volume', reason: `volume type ${ebs.VolumeType ?? '(default)'} is not in cost/prices.json` }); continue; }
          add('EBS volume (gp3)', id, `${ebs.VolumeSize} GiB x ${rate$(P.ebsGp3GbMonth.usd)}, also while stopped`, ebs.VolumeSize * P.ebsGp3GbMonth.usd, undefined, P.ebsGp3GbMonth);
        }
        if (p.Monitoring === true) add('EC2 detailed monitoring', id, `${rate$(P.ec2DetailedMonitoringMonth.usd)} a month, pro-rated by running hours`, P.ec2DetailedMonitoringMonth.usd * (hours / H), P.ec2DetailedMonitoringMonth.usd, P.ec2DetailedMonitoringMonth);
        break;
      }
      case 'AWS::EC2::EIP':
        add('Public IPv4 address (Elastic IP)', id, `${H} h x ${rate$(P.publicIpv4Hour.usd)}, charged also while its instance is stopped`, H * P.publicIpv4Hour.usd, undefined, P.publicIpv4Hour);
        break;
      case 'AWS::EC2::NatGateway': {
        const gb = assume('natGbPerMonth');
        add('NAT gateway hours', id, `${H} h x ${rate$(P.natGatewayHour.usd)}`, H * P.natGatewayHour.usd, undefined, P.natGatewayHour);
        add('NAT gateway data processed', id, `${gb} GB (assumption) x ${rate$(P.natGatewayGb.usd)}`, gb * P.natGatewayGb.usd, undefined, P.natGatewayGb);
        break;
      }
      case 'AWS::EC2::VPCEndpoint':
        if ((p.VpcEndpointType ?? 'Gateway') === 'Gateway') free.push({ resource: id, type: r.Type, reason: 'gateway endpoint: no charge' });
        else {
          const azs = (p.SubnetIds ?? []).length || 1;
          add('Interface VPC endpoint', id, `${azs} AZ x ${H} h x ${rate$(table.vpcEndpointInterfaceHourPerAz.usd)}`, azs * H * table.vpcEndpointInterfaceHourPerAz.usd, undefined, table.vpcEndpointInterfaceHourPerAz);
        }
        break;
      case 'AWS::Backup::BackupPlan': {
        // AWS Backup keeps RDS recovery points as snapshots: one full copy plus the daily changes for each rule's
        // retention, billed like snapshot storage (priced in full: the free allowance is taken by the automated backups).
        const db = Object.values(resources).find((x) => x.Type === 'AWS::RDS::DBInstance');
        const gib = Number(db?.Properties?.AllocatedStorage ?? 20);
        const change = table.assumptions.backupChangePerDayFraction;
        for (const rule of p.BackupPlan?.BackupPlanRule ?? []) {
          const days = Number(rule.Lifecycle?.DeleteAfterDays ?? 35);
          const gb = gib + days * change * gib;
          const copies = (rule.CopyActions ?? []).length;
          add(`AWS Backup storage: rule ${rule.RuleName ?? ''}`.trim(), id, `${gib} GiB full + ${days} day(s) x ${(change * 100).toFixed(0)}% daily change = ${gb.toFixed(1)} GB (assumption)${copies ? `, x${1 + copies} with ${copies} copy target(s); cross-region transfer not included` : ''} x ${rate$(P.rdsBackupGbMonth.usd)}`,
            gb * (1 + copies) * P.rdsBackupGbMonth.usd, undefined, P.rdsBackupGbMonth);
        }
        break;
      }
      case 'AWS::KMS::Key':
        add('KMS customer-managed key', id, `1 key x ${rate$(P.kmsKeyMonth.usd)}`, P.kmsKeyMonth.usd, undefined, P.kmsKeyMonth,
          p.EnableKeyRotation === true ? 'first year; each of the first two yearly rotations adds $1 a month' : '');
        break;
      case 'AWS::SecretsManager::Secret':
        add('Secrets Manager secret', id, `1 secret x ${rate$(P.secretMonth.usd)}`, P.secretMonth.usd, undefined, P.secretMonth);
        break;
      case 'AWS::CloudWatch::Alarm':
        add('CloudWatch alarm', id, `${p.Namespace}/${p.MetricName} x ${rate$(P.alarmMonth.usd)}`, P.alarmMonth.usd, undefined, P.alarmMonth);
        break;
      case 'AWS::Logs::LogGroup': {
        const name = typeof p.LogGroupName === 'string' ? p.LogGroupName : '';
        const kind = flowLogGroups.has(id) ? 'flowLogGbPerMonth' : /\/postgresql$/.test(name) ? 'databaseLogGbPerMonth' : 'otherLogGbPerMonth';
        const gb = assume(kind);
        const retentionMonths = Number(p.RetentionInDays ?? 3653) / 30;
        const stored = gb * retentionMonths;
        const label = kind === 'flowLogGbPerMonth' ? 'VPC flow logs' : kind === 'databaseLogGbPerMonth' ? 'PostgreSQL log' : `log group ${name || id}`;
        add(`Log ingestion and storage: ${label}`, id, `${gb} GB a month (assumption) x ${rate$(P.logsIngestGb.usd)} + ${stored.toFixed(2)} GB kept (${p.RetentionInDays ?? 'no'} days) x ${rate$(P.logsStoredGbMonth.usd)}`, gb * P.logsIngestGb.usd + stored * P.logsStoredGbMonth.usd, undefined, P.logsIngestGb);
        break;
      }
      default: {
        if (table.free[r.Type] !== undefined) { free.push({ resource: id, type: r.Type, reason: table.free[r.Type] }); break; }
        const prefix = Object.keys(table.freeTypePrefixes).find((k) => r.Type.startsWith(k));
        if (prefix) { free.push({ resource: id, type: r.Type, reason: table.freeTypePrefixes[prefix] }); break; }
        notPriced.push({ resource: id, type: r.Type, reason: 'resource type not in cost/prices.json' });
      }
    }
  }
  const scheduled = round2(lines.reduce((n, l) => n + l.monthly, 0));
  const running = round2(lines.reduce((n, l) => n + l.runningMonthly, 0));
  const target = table.targets[env] ?? {};
  const targets = [];
  if (target.scheduled !== undefined) targets.push({ name: 'on its default schedule', limit: target.scheduled, value: scheduled, met: scheduled <= target.scheduled });
  if (target.running !== undefined) targets.push({ name: 'kept running', limit: target.running, value: running, met: running <= target.running });
  return { stack: stackName, environment: env, scheduledAvailable: Object.keys(schedules).length > 0, scheduled, running, lines, free, notPriced, targets, schedules };
}

function render(result, table) {
  const out = [];
  out.push(`## ${result.stack} (${result.environment})`, '');
  out.push('| Item | Resource | Detail | Monthly | Kept running | Price |', '|---|---|---|---|---|---|');
  for (const l of result.lines) out.push(`| ${l.item} | ${l.resource} | ${l.detail}${l.note ? ` — ${l.note}` : ''} | ${money(l.monthly)} | ${money(l.runningMonthly)} | ${l.verified ? 'verified' : 'unverified'} |`);
  out.push(`| **Total** | | | **${money(result.scheduled)}** | **${money(result.running)}** | |`, '');
  if (result.notPriced.length > 0) {
    out.push('NOT PRICED (add them to cost/prices.json; the total above leaves them out):', '');
    for (const n of result.notPriced) out.push(`- ${n.resource} (${n.type}): ${n.reason}`);
    out.push('');
  }
  const freeTypes = [...new Set(result.free.map((f) => f.type))];
  out.push(`Free: ${freeTypes.map((t) => `${t} (${result.free.filter((f) => f.type === t).length})`).join(', ')}.`, '');
  for (const t of result.targets) out.push(`Target ${t.name}: ${money(t.value)} ${t.met ? '<=' : '>'} ${money(t.limit)} — ${t.met ? 'met' : 'NOT MET'}.`);
  if (result.targets.length) out.push('');
  return out.join('\n');
}

function readmeRow(results, date) {
  const order = ['dev', 'staging', 'prod', 'sandbox'];
  const cells = order.map((env) => {
    const r = results.find((x) => x.environment === env);
    if (!r) return 'n/a';
    const warn = r.notPriced.length ? ` (+${r.notPriced.length} not priced)` : '';
    return r.scheduledAvailable ? `${money(r.scheduled)} on its schedule, ${money(r.running)} kept running${warn}` : `${money(r.running)}${warn}`;
  });
  return `${README_ROW} (eu-west-1 list prices of ${date}; \`npm run cost\`) | ${cells.join(' | ')} |`;
}

function main() {
  const root = path.resolve(__dirname, '..');
  const options = parseArgs(process.argv.slice(2));
  const table = JSON.parse(fs.readFileSync(path.join(__dirname, 'prices.json'), 'utf8'));
  let files = options.templates.map((f) => path.resolve(f));
  if (files.length === 0) {
    const out = path.resolve(root, options.out);
    if (options.synth) {
      const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', out, ...options.context.flatMap((c) => ['-c', c])], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      if (synth.status !== 0) process.exit(synth.status ?? 1);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    files = Object.values(manifest.artifacts ?? {}).filter((a) => a.type === 'aws:cloudformation:stack').map((a) => path.join(out, a.properties.templateFile)).sort();
    if (files.length === 0) throw new Error(`no stacks in ${out}/manifest.json: synthesize first`);
  }
  const results = files.map((f) => estimate(path.basename(f).replace(/\.template\.json$/, ''), JSON.parse(fs.readFileSync(f, 'utf8')), table));
  const unverified = Object.entries(table.prices).filter(([, p]) => p.verified === false).map(([k]) => k);
  console.log(`# Monthly cost estimate (${table.region}, on-demand list prices of ${table.date}, ${table.hoursPerMonth} h a month)`, '');
  console.log(`Prices from cost/prices.json; unverified (check on their source page): ${unverified.join(', ') || 'none'}. Usage assumptions (NAT traffic, log volumes, backup churn) are listed per line.`, '');
  for (const r of results) console.log(render(r, table));
  const row = readmeRow(results, table.date);
  console.log('README row:', '', row);
  if (options.json) fs.writeFileSync(options.json, JSON.stringify({ region: table.region, date: table.date, readmeRow: row, results }, null, 2) + '\n');
  if (options.updateReadme) {
    const readmePath = path.join(root, 'README.md');
    const lines = fs.readFileSync(readmePath, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith(README_ROW));
    if (at < 0) throw new Error(`README.md has no row starting with '${README_ROW}' in the environments table`);
    lines[at] = row;
    fs.writeFileSync(readmePath, lines.join('\n'));
    console.log('README.md cost row updated.');
  }
  const notPriced = results.reduce((n, r) => n + r.notPriced.length, 0);
  if (notPriced > 0) console.log(`\n${notPriced} resource(s) NOT PRICED: see above.`);
}

module.exports = { estimate, schedulesOf, cronEvents, weeklyRunningHours, readmeRow, README_ROW };
if (require.main === module) main();
