#!/usr/bin/env node
// Validates SARIF files against the SARIF 2.1.0 JSON schema shipped with
// @microsoft/sarif-multitool. Exit 0 when every file is valid, 1 otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const schemaPath = path.join(path.dirname(require.resolve('@microsoft/sarif-multitool-linux/package.json')),
                             'sarif-2.1.0.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({allErrors: true, strict: false});
addFormats(ajv);
const validate = ajv.compile(schema);
let failed = false;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (validate(doc)) {
    console.log(`${file}: valid against ${path.basename(schemaPath)}`);
  } else {
    failed = true;
    for (const e of validate.errors) console.log(`${file}: error ${e.instancePath || '/'} ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
