'use strict';
// Runs the real cdk-nag v2 rule packs on an already-synthesized CloudFormation template.
// The template is read through CfnInclude (cdk-nag README, "Using on CloudFormation templates") into a
// stack whose synthesizer adds no bootstrap rule, so cdk-nag sees exactly the resources a reviewer reads,
// including the cdk_nag.rules_to_suppress metadata written from C#.
const path = require('path');
const { App, Aspects, Stack, DefaultStackSynthesizer } = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, PCIDSS321Checks } = require('cdk-nag');

const PACKS = [
  ['AwsSolutions', AwsSolutionsChecks],
  ['NIST.800.53.R5', NIST80053R5Checks],
  ['HIPAA.Security', HIPAASecurityChecks],
  ['PCI.DSS.321', PCIDSS321Checks],
];

/** Collects every outcome cdk-nag reports, per resource. */
class Collector {
  constructor() {
    this.findings = [];
    this.acknowledged = [];
    this.errors = [];
    this.compliant = 0;
  }
  logicalId(resource) { return Stack.of(resource).resolve(resource.logicalId); }
  onCompliance() { this.compliant += 1; }
  onNotApplicable() {}
  onNonCompliance(d) {
    this.findings.push({ pack: d.nagPackName, rule: d.ruleId, finding: d.findingId, resource: this.logicalId(d.resource), type: d.resource.cfnResourceType, info: d.ruleInfo, level: d.ruleLevel });
  }
  onSuppressed(d) {
    this.acknowledged.push({ pack: d.nagPackName, rule: d.ruleId, finding: d.findingId, resource: this.logicalId(d.resource), type: d.resource.cfnResourceType, reason: d.suppressionReason });
  }
  onError(d) {
    this.errors.push({ pack: d.nagPackName, rule: d.ruleId, resource: this.logicalId(d.resource), message: d.errorMessage });
  }
  onSuppressedError(d) {
    this.acknowledged.push({ pack: d.nagPackName, rule: d.ruleId, finding: 'error', resource: this.logicalId(d.resource), type: d.resource.cfnResourceType, reason: d.errorSuppressionReason });
  }
}

/**
 * Runs the four packs on one template file.
 * @returns {{ stack: string, packs: string[], findings: object[], acknowledged: object[], errors: object[], compliant: number }}
 */
function runRulePacks(templateFile) {
  const stackName = path.basename(templateFile).replace(/\.template\.json$/, '');
  const app = new App({ outdir: require('fs').mkdtempSync(path.join(require('os').tmpdir(), 'rdsstack-nag-')) });
  const stack = new Stack(app, stackName, {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  new CfnInclude(stack, 'Template', { templateFile });
  const collector = new Collector();
  for (const [, Pack] of PACKS) {
    Aspects.of(app).add(new Pack({ reports: false, verbose: false, additionalLoggers: [collector] }));
  }
  app.synth();
  return {
    stack: stackName,
    packs: PACKS.map(([name]) => name),
    findings: collector.findings,
    acknowledged: collector.acknowledged,
    errors: collector.errors,
    compliant: collector.compliant,
  };
}

module.exports = { runRulePacks, PACKS };

// As a worker thread: run the packs on workerData.files and post the results, so the main thread stays free to
// collect cfn-guard and cfn-lint while cdk-nag works.
const { isMainThread, parentPort, workerData } = require('worker_threads');
if (!isMainThread && workerData?.rulePackFiles) {
  parentPort.postMessage(workerData.rulePackFiles.map((file) => runRulePacks(file)));
}

/** Runs the packs on every file in a worker thread. @returns {Promise<object[]>} one result per file, in order */
function runRulePacksInWorker(files) {
  const { Worker } = require('worker_threads');
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { rulePackFiles: files } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`the cdk-nag worker exited with ${code}`)); });
  });
}

module.exports.runRulePacksInWorker = runRulePacksInWorker;
