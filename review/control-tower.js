'use strict';
// AWS Control Tower proactive controls: the CloudFormation Guard rules and the cfn-guard binary that ship in the
// pinned npm package @cdklabs/cdk-validator-cfnguard (installed by `npm ci`; nothing is downloaded at run time).
// One cfn-guard run evaluates every rule file against every template; the JSON it prints is split per template
// and per control, and each failing control is attributed to the resources whose paths failed.
//
// Acknowledgements: the Control Tower rules read no suppression metadata, so an acknowledgement is read here,
// from the resource's template metadata `control_tower.acknowledged_controls: [{ id, reason }]` (written from C#
// by ControlTowerAcknowledgement.Add). A control listed in config/controls.json `enforcedControls` cannot be
// acknowledged: an organisation that enforces it blocks the deploy, so the review fails.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runProcess } = require('./run-process');

const PACKAGE_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const RULES_DIR = path.join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');
const METADATA_KEY = 'control_tower';
const LIST_KEY = 'acknowledged_controls';
const CONTROL_ID = /^CT\.[A-Z0-9]+\.PR\.[0-9]+$/;

/** The cfn-guard binary of this platform, as the package ships it (bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard). */
function guardBinary() {
  const system = { linux: 'ubuntu', darwin: 'macos' }[os.platform()];
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[os.arch()];
  if (!system || !arch) throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard for ${os.platform()}/${os.arch()}`);
  return path.join(PACKAGE_DIR, 'bin', system, arch, 'cfn-guard');
}

/**
 * Every rule file of the package: its control id (ct-rds-pr-20.guard holds CT.RDS.PR.20), primary rule name,
 * requirement text and the resource types it reports on (its "Reports on:" header).
 */
function controlCatalogue() {
  const controls = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.guard')) controls.push(readControl(full));
    }
  };
  walk(RULES_DIR);
  return { controls, byRule: new Map(controls.flatMap((c) => c.rules.map((rule) => [rule, c]))), count: controls.length };
}

function readControl(file) {
  const id = path.basename(file, '.guard').toUpperCase().replace(/-/g, '.');
  const text = fs.readFileSync(file, 'utf8');
  // The primary rules are those whose message names the control ("[CT.RDS.PR.20]: ..."); the header's name as well.
  const rules = new Set(text.split(/^(?=rule\s)/m).filter((part) => part.includes(`[${id}]`)).map((part) => /^rule\s+(\w+)/.exec(part)?.[1]).filter(Boolean));
  const header = /# Rule (?:Name|Identifier):\s*\n#\s+(\S+)/.exec(text)?.[1];
  if (header) rules.add(header);
  const title = new RegExp(`\\[${id.replace(/\./g, '\\.')}\\]:\\s*(.+)`).exec(text)?.[1]?.trim() ?? '';
  const reportsOn = /# Reports on:\s*\n((?:#\s+\S.*\n)+)/.exec(text)?.[1];
  const types = reportsOn ? reportsOn.split('\n').flatMap((line) => line.replace(/^#\s*/, '').split(',')).map((t) => t.trim()).filter(Boolean) : null;
  return { id, file, rules: [...rules], title, types };
}

/** cfn-guard prints one JSON document per (rule file, data file), concatenated: split them. */
function splitDocuments(text) {
  const docs = [];
  let depth = 0, start = 0, inString = false, escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}') { if (--depth === 0) docs.push(JSON.parse(text.slice(start, i + 1))); }
  }
  return docs;
}

/** The logical ids of the resources whose values failed somewhere in a cfn-guard result tree. */
function failingResources(node, found = new Set()) {
  if (Array.isArray(node)) node.forEach((n) => failingResources(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'path' && typeof value === 'string') {
        const match = /^\/Resources\/([^/]+)/.exec(value);
        if (match) found.add(match[1]);
      } else failingResources(value, found);
    }
  }
  return found;
}

/** Acknowledgements written on resources: [{ control, resource, type, reason }], plus malformed entries as problems. */
function acknowledgementsOf(template) {
  const acks = [];
  const problems = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    for (const entry of resource.Metadata?.[METADATA_KEY]?.[LIST_KEY] ?? []) {
      if (!CONTROL_ID.test(entry?.id ?? '') || typeof entry.reason !== 'string' || entry.reason.trim().length < 40) {
        problems.push(`malformed acknowledgement on ${id}: ${JSON.stringify(entry)}`);
      } else acks.push({ control: entry.id, resource: id, type: resource.Type, reason: entry.reason });
    }
  }
  if (template.Metadata?.[METADATA_KEY]) problems.push('a stack-wide control_tower acknowledgement is not allowed: acknowledge on the resource');
  return { acks, problems };
}

/** Reads config/controls.json: { "enforcedControls": ["CT.KMS.PR.3", ...] } (a missing file enforces nothing). */
function readEnforcedControls(file) {
  if (!file || !fs.existsSync(file)) return { file, enforced: [] };
  let config;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error.message})`);
  }
  const list = config.enforcedControls;
  if (!Array.isArray(list)) throw new Error(`${file}: $.enforcedControls must be a list of control ids such as "CT.RDS.PR.20"`);
  list.forEach((id, i) => {
    if (typeof id !== 'string' || !CONTROL_ID.test(id)) throw new Error(`${file}: $.enforcedControls[${i}] = ${JSON.stringify(id)} is not a control id such as "CT.RDS.PR.20"`);
  });
  const unknownKeys = Object.keys(config).filter((k) => k !== 'enforcedControls' && k !== '$comment');
  if (unknownKeys.length) throw new Error(`${file}: unknown key(s) ${unknownKeys.join(', ')}; allowed: enforcedControls, $comment`);
  return { file, enforced: [...new Set(list)].sort() };
}

/**
 * Runs every Control Tower rule on every template in one cfn-guard process.
 * @param {{stack:string, file:string, template:object}[]} stacks
 * @param {string[]} enforced enforced control ids
 */
async function runControlTower(stacks, enforced = []) {
  const catalogue = controlCatalogue();
  const unknownEnforced = enforced.filter((id) => !catalogue.controls.some((c) => c.id === id));
  // A control reports only on the resource types in its header; one whose types appear in no template can only
  // SKIP, so it is not run (a control without that header always runs). This cuts cfn-guard's time by about 5x.
  const present = new Set(stacks.flatMap((s) => Object.values(s.template.Resources ?? {}).map((r) => r.Type)));
  const applicable = catalogue.controls.filter((c) => c.types === null || c.types.some((t) => present.has(t)));
  const guard = await runProcess(guardBinary(), ['validate', ...applicable.flatMap((c) => ['-r', c.file]), ...stacks.flatMap((s) => ['-d', s.file]), '--output-format', 'json', '--show-summary', 'none']);
  // Exit codes: 0 all pass, 19 some rule failed, 5 a parse or evaluation error.
  if (guard.error) throw guard.error;
  if (guard.status !== 0 && guard.status !== 19) throw new Error(`cfn-guard exited ${guard.status}: ${guard.stderr}`);
  const docs = splitDocuments(guard.stdout);
  const byFile = new Map(stacks.map((s) => [path.resolve(s.file), s]));
  const unmapped = new Set();
  const results = new Map(stacks.map((s) => [s.stack, { stack: s.stack, passed: new Set(), failed: new Map(), notApplicable: new Set() }]));
  for (const doc of docs) {
    const s = byFile.get(path.resolve(doc.name));
    if (!s) continue;
    const r = results.get(s.stack);
    for (const rule of doc.compliant ?? []) { const c = catalogue.byRule.get(rule); if (c) r.passed.add(c.id); }
    for (const rule of doc.not_applicable ?? []) { const c = catalogue.byRule.get(rule); if (c) r.notApplicable.add(c.id); }
    for (const failure of doc.not_compliant ?? []) {
      const c = catalogue.byRule.get(failure.Rule?.name);
      if (!c) {
        unmapped.add(failure.Rule?.name ?? JSON.stringify(failure).slice(0, 80));
        continue;
      }
      const resources = r.failed.get(c.id) ?? new Set();
      failingResources(failure, resources);
      r.failed.set(c.id, resources);
    }
  }

  return stacks.map((s) => {
    const r = results.get(s.stack);
    const { acks, problems } = acknowledgementsOf(s.template);
    const findings = [];
    const acknowledged = [];
    const enforcedViolations = [];
    const used = new Set();
    const titleOf = (id) => catalogue.controls.find((c) => c.id === id)?.title ?? '';
    for (const [control, resources] of [...r.failed.entries()].sort()) {
      const list = resources.size > 0 ? [...resources].sort() : ['(template)'];
      for (const resource of list) {
        const type = s.template.Resources?.[resource]?.Type ?? '';
        const ack = acks.find((a) => a.control === control && a.resource === resource);
        if (ack) used.add(ack);
        if (enforced.includes(control)) {
          enforcedViolations.push({ control, title: titleOf(control), resource, type, acknowledgedWith: ack?.reason ?? null });
        } else if (ack) acknowledged.push({ control, title: titleOf(control), resource, type, reason: ack.reason });
        else findings.push({ control, title: titleOf(control), resource, type });
      }
    }
    const unused = acks.filter((a) => !used.has(a)).map((a) => ({ control: a.control, resource: a.resource, reason: a.reason }));
    const failedControls = [...r.failed.keys()];
    const acknowledgedControls = failedControls.filter((id) => !enforced.includes(id) && findings.every((f) => f.control !== id));
    return {
      stack: s.stack,
      rulesDir: path.relative(process.cwd(), RULES_DIR),
      guardVersion: `${require('@cdklabs/cdk-validator-cfnguard/package.json').version} (cfn-guard ${JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'guard-version.json'), 'utf8')).version})`,
      controlsInPackage: catalogue.count,
      controlsEvaluated: applicable.length,
      met: [...r.passed].filter((id) => !r.failed.has(id)).sort(),
      notApplicable: catalogue.count - r.passed.size - r.failed.size,
      acknowledgedControls: acknowledgedControls.sort(),
      findings,
      acknowledged,
      enforcedViolations,
      unusedAcknowledgements: unused,
      problems: [...problems, ...[...unmapped].map((name) => `cfn-guard reported the failing rule '${name}', which maps to no control file`), ...unknownEnforced.map((id) => `config/controls.json enforces ${id}, which is not a control in ${path.relative(process.cwd(), RULES_DIR)}`)],
    };
  });
}

module.exports = { runControlTower, readEnforcedControls, guardBinary, RULES_DIR, METADATA_KEY, LIST_KEY };
