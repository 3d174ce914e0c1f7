#!/usr/bin/env node
'use strict';
// Renders a stack's connection-facts SSM parameter (/rdsstack/<stack>/connection) from a synthesized template the
// way CloudFormation would, given values for the deploy-time attributes, and prints the JSON the rdsstack tool
// reads. --set / --set-file then adjust what a local end-to-end run needs (the test's ports, the host keys that
// the bastion would publish in its own parameter).
//   node render-facts.js TEMPLATE [--attr Endpoint.Address=host] [--ref AWS::EC2::EIP=1.2.3.4]
//                        [--set bastion.sshPort=2222] [--set-file bastion.hostKeys=FILE]
const fs = require('fs');

const [templateFile, ...rest] = process.argv.slice(2);
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
const attrs = {};
const refsByType = {};
const sets = [];
for (let i = 0; i < rest.length; i += 2) {
  const [key, ...value] = rest[i + 1].split('=');
  if (rest[i] === '--attr') attrs[key] = value.join('=');
  else if (rest[i] === '--ref') refsByType[key] = value.join('=');
  else if (rest[i] === '--set') sets.push([key, JSON.parse(value.join('='))]);
  else if (rest[i] === '--set-file') sets.push([key, fs.readFileSync(value.join('='), 'utf8')]);
  else throw new Error(`unknown option ${rest[i]}`);
}
const pseudo = { 'AWS::Region': 'eu-west-1', 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

function render(node) {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map(render);
  if ('Ref' in node) {
    if (node.Ref in pseudo) return pseudo[node.Ref];
    const type = template.Resources[node.Ref]?.Type;
    if (type in refsByType) return refsByType[type];
    throw new Error(`no value for Ref ${node.Ref} (${type}): pass --ref ${type}=VALUE`);
  }
  if ('Fn::GetAtt' in node) {
    const [, attr] = node['Fn::GetAtt'];
    if (attr in attrs) return attrs[attr];
    throw new Error(`no value for ${node['Fn::GetAtt'].join('.')}: pass --attr ${attr}=VALUE`);
  }
  if ('Fn::Join' in node) return render(node['Fn::Join'][1]).join(node['Fn::Join'][0]);
  if ('Fn::Split' in node) return render(node['Fn::Split'][1]).split(node['Fn::Split'][0]);
  if ('Fn::Select' in node) return render(node['Fn::Select'][1])[node['Fn::Select'][0]];
  throw new Error(`cannot render ${JSON.stringify(node)}`);
}

const parameter = Object.values(template.Resources)
  .find((r) => r.Type === 'AWS::SSM::Parameter' && /^\/rdsstack\/[^/]+\/connection$/.test(r.Properties.Name));
if (!parameter) throw new Error(`no /rdsstack/<stack>/connection parameter in ${templateFile}`);
const facts = JSON.parse(render(parameter.Properties.Value));
for (const [path, value] of sets) {
  const keys = path.split('.');
  keys.slice(0, -1).reduce((o, k) => o[k], facts)[keys.at(-1)] = value;
}
process.stdout.write(JSON.stringify(facts, null, 2) + '\n');
