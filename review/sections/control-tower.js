'use strict';
// Report section: AWS Control Tower proactive controls (cfn-guard) for one stack.
const { table } = require('../template-helpers');

/** @param {{controlTower: object}} extras the stack's Control Tower result (review/control-tower.js) */
function render(stackName, template, extras) {
  const ct = extras.controlTower;
  const out = ['## Control Tower proactive controls', ''];
  out.push(`The AWS Control Tower proactive controls of @cdklabs/cdk-validator-cfnguard ${ct.guardVersion}: the CloudFormation Guard rules in \`${ct.rulesDir}\` (${ct.controlsInPackage} controls; the ${ct.controlsEvaluated} whose resource types occur in the reviewed templates are run, the others can only skip), run by the package's own \`cfn-guard\`. A control listed in \`config/controls.json\` is enforced: it cannot be acknowledged.`, '');
  out.push(table(['Controls evaluated', 'Met', 'Acknowledged', 'Unacknowledged findings', 'Enforced and failing', 'Not applicable'],
    [[ct.controlsEvaluated, ct.met.length, ct.acknowledgedControls.length, ct.findings.length, ct.enforcedViolations.length, ct.notApplicable]]));
  if (ct.enforcedViolations.length > 0) {
    out.push('### Enforced controls that fail (the deploy would be blocked)', '', table(['Control', 'Resource', 'Requirement', 'Acknowledged with'],
      ct.enforcedViolations.map((v) => [v.control, `${v.resource} (${v.type})`, v.title, v.acknowledgedWith ?? '(not acknowledged)'])));
  }
  if (ct.findings.length > 0) {
    out.push('### Unacknowledged findings', '', table(['Control', 'Resource', 'Requirement'], ct.findings.map((f) => [f.control, `${f.resource} (${f.type})`, f.title])));
  }
  if (ct.unusedAcknowledgements.length > 0) {
    out.push('### Unused acknowledgements', '', table(['Control', 'Resource', 'Reason'], ct.unusedAcknowledgements.map((a) => [a.control, a.resource, a.reason])));
  }
  out.push('### Acknowledged controls', '', 'Written from C# (`ControlTowerAcknowledgement.Add`) into the resource\'s template metadata (`control_tower.acknowledged_controls`).', '');
  out.push(table(['Control', 'Resource', 'Requirement', 'Reason'], ct.acknowledged.map((a) => [a.control, `${a.resource} (${a.type})`, a.title, a.reason])));
  out.push(`Met: ${ct.met.join(', ') || 'none'}.`, '');
  return out.join('\n');
}

module.exports = { render };
