'use strict';
// Report section: does CloudFormation accept the template? Registry-schema validation and cfn-lint.
const { table } = require('../template-helpers');

/** @param {{schema: object, cfnLint: object}} extras the stack's schema result and cfn-lint result */
function render(stackName, template, extras) {
  const { schema, cfnLint } = extras;
  const out = ['## CloudFormation validation', ''];
  out.push(`Registry schemas from \`@aws-cdk/aws-service-spec\` ${schema.specVersion}: ${schema.resources} resources, ${schema.checks} checks (types, property names at every level, required properties, value types, allowed values, Ref/GetAtt/Sub targets and attributes, DependsOn, DeletionPolicy/UpdateReplacePolicy), ${schema.violations.length} violation(s).`, '');
  if (schema.violations.length > 0) out.push(table(['Path', 'Violation'], schema.violations.map((v) => [v.path, v.message])));
  if (cfnLint.skipped) {
    out.push('cfn-lint: not run (--checks).', '');
  } else if (!cfnLint.installed) {
    out.push('cfn-lint: not installed, not run (install it with `pip install cfn-lint` to add its checks).', '');
  } else {
    out.push(`${cfnLint.version}: ${cfnLint.errors.length} error(s), ${cfnLint.warnings.length} warning(s) or informational match(es).${Object.keys(cfnLint.ignored).length ? ` Rules not run: ${Object.entries(cfnLint.ignored).map(([id, why]) => `${id} (${why})`).join('; ')}.` : ' Every rule ran.'}`, '');
    const matches = [...cfnLint.errors, ...cfnLint.warnings];
    if (matches.length > 0) out.push(table(['Rule', 'Level', 'Path', 'Message'], matches.map((m) => [m.rule, m.level, m.path, m.message])));
  }
  return out.join('\n');
}

module.exports = { render };
