'use strict';
// Renders CloudFormation values of a synthesized template the way CloudFormation would, given values for the
// deploy-time attributes (--attr Endpoint.Address=host) and for Refs by resource type (--ref AWS::EC2::EIP=1.2.3.4).
// Shared by render-output.js (stack outputs, user data) and render-facts.js (the connection-facts parameter).

const pseudo = { 'AWS::Region': 'eu-west-1', 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

/**
 * Reads --attr and --ref pairs from args; any other option goes to onOther(option, key, value) or is refused.
 * @returns {{attrs: Record<string,string>, refsByType: Record<string,string>}}
 */
function parseOptions(args, onOther) {
  const attrs = {};
  const refsByType = {};
  for (let i = 0; i < args.length; i += 2) {
    const [key, ...value] = args[i + 1].split('=');
    if (args[i] === '--attr') attrs[key] = value.join('=');
    else if (args[i] === '--ref') refsByType[key] = value.join('=');
    else if (!onOther?.(args[i], key, value.join('='))) throw new Error(`unknown option ${args[i]}`);
  }
  return { attrs, refsByType };
}

/** A render(node) function for template values: Ref, Fn::GetAtt, Fn::Join, Fn::Split, Fn::Select, Fn::Base64. */
function renderer(template, { attrs, refsByType }) {
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
  return render;
}

module.exports = { parseOptions, renderer };
