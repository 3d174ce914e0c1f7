#!/usr/bin/env node
'use strict';
// Renders a stack output (or the bastion's user data) from a synthesized template the way CloudFormation
// would, given values for the deploy-time attributes. Used by connect-through-bastion.sh to run the exact
// commands the stack hands to developers.
//   node render-output.js TEMPLATE OUTPUT_NAME [--attr Endpoint.Address=host] [--ref AWS::EC2::EIP=1.2.3.4]
//   node render-output.js TEMPLATE --user-data
const fs = require('fs');

const [templateFile, what, ...rest] = process.argv.slice(2);
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
const attrs = {};
const refsByType = {};
for (let i = 0; i < rest.length; i += 2) {
  const [key, ...value] = rest[i + 1].split('=');
  if (rest[i] === '--attr') attrs[key] = value.join('=');
  else if (rest[i] === '--ref') refsByType[key] = value.join('=');
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
  if ('Fn::Base64' in node) return render(node['Fn::Base64']);
  throw new Error(`cannot render ${JSON.stringify(node)}`);
}

if (what === '--user-data') {
  const instance = Object.values(template.Resources).find((r) => r.Type === 'AWS::EC2::Instance');
  process.stdout.write(render(instance.Properties.UserData));
} else {
  const output = template.Outputs?.[what];
  if (!output) throw new Error(`no output ${what} in ${templateFile}`);
  process.stdout.write(String(render(output.Value)));
}
