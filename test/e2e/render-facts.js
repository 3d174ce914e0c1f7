#!/usr/bin/env node
'use strict';
// Renders a stack's connection-facts SSM parameter (/rdsstack/<stack>/connection) from a synthesized template the
// way CloudFormation would, given values for the deploy-time attributes, and prints the JSON the rdsstack tool
// reads. --set / --set-file then adjust what a local end-to-end run needs (the test's ports, the host keys that
// the bastion would publish in its own parameter).
//   node render-facts.js TEMPLATE [--attr Endpoint.Address=host] [--ref AWS::EC2::EIP=1.2.3.4]
//                        [--set bastion.sshPort=2222] [--set-file bastion.hostKeys=FILE]
const fs = require('fs');
const { parseOptions, renderer } = require('./cfn-render');

const [templateFile, ...rest] = process.argv.slice(2);
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
const sets = [];
const render = renderer(template, parseOptions(rest, (option, key, value) => {
  if (option === '--set') sets.push([key, JSON.parse(value)]);
  else if (option === '--set-file') sets.push([key, fs.readFileSync(value, 'utf8')]);
  else return false;
  return true;
}));

const parameter = Object.values(template.Resources)
  .find((r) => r.Type === 'AWS::SSM::Parameter' && /^\/rdsstack\/[^/]+\/connection$/.test(r.Properties.Name));
if (!parameter) throw new Error(`no /rdsstack/<stack>/connection parameter in ${templateFile}`);
const facts = JSON.parse(render(parameter.Properties.Value));
for (const [path, value] of sets) {
  const keys = path.split('.');
  keys.slice(0, -1).reduce((o, k) => o[k], facts)[keys.at(-1)] = value;
}
process.stdout.write(JSON.stringify(facts, null, 2) + '\n');
