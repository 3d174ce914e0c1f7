#!/usr/bin/env node
'use strict';
// Renders a stack output (or the bastion's user data) from a synthesized template the way CloudFormation
// would, given values for the deploy-time attributes. Used by connect-through-bastion.sh to run the exact
// commands the stack hands to developers.
//   node render-output.js TEMPLATE OUTPUT_NAME [--attr Endpoint.Address=host] [--ref AWS::EC2::EIP=1.2.3.4]
//   node render-output.js TEMPLATE --user-data
const fs = require('fs');
const { parseOptions, renderer } = require('./cfn-render');

const [templateFile, what, ...rest] = process.argv.slice(2);
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
const render = renderer(template, parseOptions(rest));

if (what === '--user-data') {
  const instance = Object.values(template.Resources).find((r) => r.Type === 'AWS::EC2::Instance');
  process.stdout.write(render(instance.Properties.UserData));
} else {
  const output = template.Outputs?.[what];
  if (!output) throw new Error(`no output ${what} in ${templateFile}`);
  process.stdout.write(String(render(output.Value)));
}
