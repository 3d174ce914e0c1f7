'use strict';
// Validates every resource of a template against the CloudFormation registry schemas as published in the pinned
// npm package @aws-cdk/aws-service-spec (the database aws-cdk generates its L1 classes from; db.json.gz, read
// directly, no network). Checked: template sections and resource attributes, resource types, property names at
// every nesting level, required properties, value types, allowed values where the schema lists them, Ref /
// Fn::GetAtt / Fn::Sub targets and GetAtt attribute names, DependsOn and Condition targets, DeletionPolicy and
// UpdateReplacePolicy values. Intrinsic functions are accepted in any value position (their targets are checked).
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SPEC_FILE = path.join(path.dirname(require.resolve('@aws-cdk/aws-service-spec/package.json')), 'db.json.gz');
const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs', 'Hooks']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Metadata', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'CreationPolicy', 'UpdatePolicy']);
const POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
// The resource types whose DeletionPolicy/UpdateReplacePolicy may be Snapshot (CloudFormation user guide,
// "DeletionPolicy attribute").
const SNAPSHOT_TYPES = new Set(['AWS::EC2::Volume', 'AWS::ElastiCache::CacheCluster', 'AWS::ElastiCache::ReplicationGroup', 'AWS::Neptune::DBCluster', 'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::Redshift::Cluster', 'AWS::DocDB::DBCluster']);
const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
// Resource types CloudFormation accepts that are not registry types.
const SPECIAL_TYPES = { 'AWS::CDK::Metadata': { properties: { Analytics: { type: { type: 'string' } } }, attributes: {} } };

let cachedSpec;
/** The registry schemas, indexed: type name -> resource, type definition id -> definition. */
function loadSpec() {
  if (cachedSpec) return cachedSpec;
  const db = JSON.parse(zlib.gunzipSync(fs.readFileSync(SPEC_FILE)).toString('utf8')).schema;
  const resources = new Map(db.resource.entities.map((r) => [r.cloudFormationType, r]));
  const definitions = new Map(db.typeDefinition.entities.map((d) => [d.$id, d]));
  cachedSpec = { resources, definitions, version: require('@aws-cdk/aws-service-spec/package.json').version };
  return cachedSpec;
}

const isIntrinsic = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)
  && Object.keys(value).length === 1 && (Object.keys(value)[0] === 'Ref' || Object.keys(value)[0].startsWith('Fn::') || Object.keys(value)[0] === 'Condition');
const describe = (value) => (Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`);

/** Validates one template. @returns {{ violations: {path:string, message:string}[], checks: number, resources: number }} */
function validateTemplate(template) {
  const spec = loadSpec();
  const violations = [];
  let checks = 0;
  const report = (where, message) => violations.push({ path: where, message });
  const resources = template.Resources ?? {};
  const parameters = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};

  for (const section of Object.keys(template)) {
    checks++;
    if (!SECTIONS.has(section)) report(section, `unknown template section '${section}'`);
  }

  /** A value against a spec type ({ type: 'string' | 'ref' | ... }). */
  function checkValue(value, type, where) {
    checks++;
    if (isIntrinsic(value)) return;
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number') return report(where, `expected a string, found ${describe(value)}`);
        if (type.allowedValues && !type.allowedValues.includes(String(value))) report(where, `value ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'integer':
        if (!(Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)))) report(where, `expected an integer, found ${describe(value)}`);
        return;
      case 'number':
        if (!(typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))))) report(where, `expected a number, found ${describe(value)}`);
        return;
      case 'boolean':
        if (!(typeof value === 'boolean' || value === 'true' || value === 'false')) report(where, `expected a boolean, found ${describe(value)}`);
        return;
      case 'json':
        if (value === null || (typeof value !== 'object' && typeof value !== 'string')) report(where, `expected a JSON object, found ${describe(value)}`);
        return;
      case 'tag':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return report(where, `expected a tag { Key, Value }, found ${describe(value)}`);
        for (const key of Object.keys(value)) if (key !== 'Key' && key !== 'Value') report(`${where}/${key}`, `unknown tag property '${key}' (allowed: Key, Value)`);
        if (value.Key === undefined) report(where, 'a tag needs Key');
        if (value.Value === undefined) report(where, 'a tag needs Value');
        return;
      case 'array':
        if (!Array.isArray(value)) return report(where, `expected a list, found ${describe(value)}`);
        value.forEach((item, i) => checkValue(item, type.element, `${where}/${i}`));
        return;
      case 'map':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return report(where, `expected a map, found ${describe(value)}`);
        for (const [key, item] of Object.entries(value)) checkValue(item, type.element, `${where}/${key}`);
        return;
      case 'ref': {
        const definition = spec.definitions.get(type.reference.$ref);
        if (!definition) return;
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return report(where, `expected an object (${definition.name}), found ${describe(value)}`);
        checkProperties(value, definition.properties, where, definition.name);
        return;
      }
      case 'union': {
        // Accepted when any member accepts it: try each on a scratch list.
        const ok = type.types.some((member) => {
          const before = violations.length;
          checkValue(value, member, where);
          const failed = violations.length > before;
          violations.length = before;
          return !failed;
        });
        if (!ok) report(where, `value ${describe(value)} matches none of ${type.types.map((t) => t.type).join(' | ')}`);
        return;
      }
      default:
    }
  }

  /** The properties object of a resource or nested type against its spec properties. */
  function checkProperties(object, specProperties, where, owner) {
    if (isIntrinsic(object)) return;
    for (const [name, value] of Object.entries(object)) {
      checks++;
      const property = specProperties[name];
      if (!property) {
        report(`${where}/${name}`, `unknown property '${name}' of ${owner}`);
        continue;
      }
      const types = [property.type, ...(property.previousTypes ?? [])];
      if (types.length === 1) checkValue(value, property.type, `${where}/${name}`);
      else checkValue(value, { type: 'union', types }, `${where}/${name}`);
    }
    for (const [name, property] of Object.entries(specProperties)) {
      checks++;
      if (property.required && !(name in object)) report(`${where}/${name}`, `required property '${name}' of ${owner} is missing`);
    }
  }

  /** Ref, GetAtt, Sub, DependsOn-style targets anywhere in a subtree. */
  function checkReferences(node, where) {
    if (Array.isArray(node)) return node.forEach((n, i) => checkReferences(n, `${where}/${i}`));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') {
        checks++;
        if (!(value in resources) && !(value in parameters) && !PSEUDO.has(value)) report(`${where}/Ref`, `Ref to '${value}', which is no resource, parameter or pseudo parameter`);
      } else if (key === 'Fn::GetAtt') {
        checks++;
        const [id, ...rest] = Array.isArray(value) ? value : String(value).split('.');
        const attribute = Array.isArray(value) ? rest[0] : rest.join('.');
        checkAttribute(id, attribute, `${where}/Fn::GetAtt`);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(value) ? value : [value, {}];
        if (typeof text === 'string') {
          for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            checks++;
            const name = match[1].trim();
            if (variables && name in variables) continue;
            if (name.includes('.')) {
              const [id, ...rest] = name.split('.');
              checkAttribute(id, rest.join('.'), `${where}/Fn::Sub`);
            } else if (!(name in resources) && !(name in parameters) && !PSEUDO.has(name)) report(`${where}/Fn::Sub`, `\${${name}} names no resource, parameter or pseudo parameter`);
          }
        }
        if (variables) checkReferences(variables, `${where}/Fn::Sub/1`);
        continue;
      } else if (key === 'Condition' && typeof value === 'string' && where.split('/').length > 2) {
        checks++;
        if (!(value in conditions)) report(`${where}/Condition`, `condition '${value}' is not defined`);
      }
      checkReferences(value, `${where}/${key}`);
    }
  }

  function checkAttribute(id, attribute, where) {
    const target = resources[id];
    if (!target) return report(where, `GetAtt of '${id}', which is no resource`);
    const type = target.Type;
    if (typeof type !== 'string' || type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return;
    if (type === 'AWS::CloudFormation::Stack' && String(attribute).startsWith('Outputs.')) return;
    const definition = SPECIAL_TYPES[type] ?? spec.resources.get(type);
    if (definition && !(attribute in (definition.attributes ?? {}))) {
      report(where, `${type} has no attribute '${attribute}' (it has: ${Object.keys(definition.attributes ?? {}).join(', ') || 'none'})`);
    }
  }

  for (const [id, resource] of Object.entries(resources)) {
    const where = `Resources/${id}`;
    checks++;
    if (resource === null || typeof resource !== 'object') { report(where, 'a resource must be an object'); continue; }
    for (const key of Object.keys(resource)) {
      checks++;
      if (!RESOURCE_KEYS.has(key)) report(`${where}/${key}`, `unknown resource attribute '${key}'`);
    }
    const type = resource.Type;
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
      if (resource[policy] === undefined) continue;
      checks++;
      if (!POLICIES.includes(resource[policy])) report(`${where}/${policy}`, `${policy} '${resource[policy]}' is not one of ${POLICIES.join(', ')}`);
      else if (resource[policy] === 'Snapshot' && !SNAPSHOT_TYPES.has(type)) report(`${where}/${policy}`, `${policy} Snapshot is not supported by ${type}`);
    }
    for (const dependency of [].concat(resource.DependsOn ?? [])) {
      checks++;
      if (!(dependency in resources)) report(`${where}/DependsOn`, `DependsOn '${dependency}', which is no resource`);
    }
    if (resource.Condition !== undefined) {
      checks++;
      if (!(resource.Condition in conditions)) report(`${where}/Condition`, `condition '${resource.Condition}' is not defined`);
    }
    checks++;
    if (typeof type !== 'string') { report(`${where}/Type`, 'Type is missing'); continue; }
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
      checks++;
      if (resource.Properties?.ServiceToken === undefined) report(`${where}/Properties/ServiceToken`, `custom resource ${type} needs ServiceToken`);
      continue;
    }
    const definition = SPECIAL_TYPES[type] ?? spec.resources.get(type);
    if (!definition) { report(`${where}/Type`, `unknown resource type '${type}'`); continue; }
    checkProperties(resource.Properties ?? {}, definition.properties, `${where}/Properties`, type);
  }
  for (const section of ['Resources', 'Outputs', 'Conditions', 'Rules']) checkReferences(template[section] ?? {}, section);
  // The count leaves out AWS::CDK::Metadata, which only the CDK CLI adds (version reporting).
  return { violations, checks, resources: Object.values(resources).filter((r) => r?.Type !== 'AWS::CDK::Metadata').length };
}

module.exports = { validateTemplate, loadSpec, SPEC_FILE };
