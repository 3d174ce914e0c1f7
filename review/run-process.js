'use strict';
// Runs a program in the background, its output going to temporary files rather than pipes, so the external
// checkers (cfn-guard, cfn-lint) keep running while the in-process cdk-nag packs hold the event loop.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

/** @returns {Promise<{status:number|null, stdout:string, stderr:string, ms:number, error?:Error}>} ms = the program's own wall time */
function runProcess(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdsstack-review-'));
  const outFile = path.join(dir, 'stdout');
  const errFile = path.join(dir, 'stderr');
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  const finish = (result) => {
    fs.closeSync(out);
    fs.closeSync(err);
    const read = (file) => fs.readFileSync(file, 'utf8');
    const done = { stdout: read(outFile), stderr: read(errFile), ms: Number((process.hrtime.bigint() - started) / 1000000n), ...result };
    fs.rmSync(dir, { recursive: true, force: true });
    return done;
  };
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      resolve(finish(result));
    };
    try {
      const child = spawn(command, args, { ...options, stdio: ['ignore', out, err] });
      child.on('error', (error) => settle({ status: null, error }));
      child.on('close', (status) => settle({ status }));
    } catch (error) {
      settle({ status: null, error });
    }
  });
}

module.exports = { runProcess };
