// Starts a real `weft serve` for the browser tests: its own folder, store and port; resolves
// once it prints its address. Configured by the environment ctest sets (tests/CMakeLists.txt).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const env = {
  bin: process.env.WEFT_BIN,
  plugins: process.env.WEFT_PLUGIN_DIR,
  fixtures: process.env.WEFT_FIXTURE_PLUGIN_DIR,
  workflows: process.env.WEFT_WORKFLOWS,
  screenshots: process.env.WEFT_SCREENSHOTS || join(tmpdir(), 'weft-console-screenshots'),
  chromium: process.env.WEFT_CHROMIUM || '/usr/bin/chromium',
};

// A folder with the example workflows and their samples, plus `extra` workflow files.
export function workspace(extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-console-'));
  mkdirSync(join(dir, 'workflows'));
  for (const f of readdirSync(env.workflows)) if (f.endsWith('.yaml')) cpSync(join(env.workflows, f), join(dir, 'workflows', f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, 'workflows', name), text);
  return dir;
}

export function startWeft(dir, { tokenEnv, token } = {}) {
  const config = join(dir, 'weft.yaml');
  writeFileSync(config, [
    'listen: 127.0.0.1:0',
    `store: sqlite:${join(dir, 'weft.db')}`,
    `workflows: ${join(dir, 'workflows')}`,
    `destinations: ${join(dir, 'destinations')}`,
    `plugin_dirs: [${env.plugins}, ${env.fixtures}]`,
    tokenEnv ? `api: { token_env: ${tokenEnv} }` : '',
  ].join('\n'));
  const child = spawn(env.bin, ['serve', '--config', config], {
    env: { ...process.env, ...(tokenEnv ? { [tokenEnv]: token } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weft serve did not start:\n${output}`)), 30000);
    const read = (chunk) => {
      output += chunk;
      const m = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          output: () => output,
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
        });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`weft serve exited (${code}):\n${output}`)));
  });
}

export async function post(url, path, body, headers = {}) {
  const response = await fetch(url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  return { status: response.status, body: await response.json() };
}
