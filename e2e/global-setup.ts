// Builds verity, seeds a throwaway data directory (demo staff and customers)
// and starts `verity serve` on a free port; global-teardown stops it.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const stateFile = path.join(os.tmpdir(), 'verity-e2e-state.json');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export default async function globalSetup() {
  const root = path.resolve(__dirname, '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verity-e2e-'));
  fs.chmodSync(work, 0o755);
  const bin = path.join(work, 'verity');
  execFileSync('go', ['build', '-o', bin, './cmd/verity'], { cwd: root, stdio: 'inherit' });
  const dataDir = path.join(work, 'data');
  fs.mkdirSync(dataDir);
  if (process.getuid && process.getuid() === 0) {
    // The private PostgreSQL runs as the unprivileged postgres user when we are root.
    execFileSync('chown', ['postgres', dataDir]);
  }
  const port = await freePort();
  const env = { ...process.env, DATA_DIR: dataDir, VERITY_ENV: 'development', LOG_LEVEL: 'warn',
    ADDR: `127.0.0.1:${port}`, FOUR_EYES: 'true', DATABASE_URL: '',
    WEBHOOK_ALLOW_PRIVATE: 'true' }; // webhooks.spec.ts's receiver listens on 127.0.0.1
  execFileSync(bin, ['seed', '--demo', '--customers', '40', '--seed', '7'], { env, stdio: ['ignore', 'ignore', 'pipe'] });

  const log = fs.openSync(path.join(work, 'serve.log'), 'a');
  const server = spawn(bin, ['serve'], { env, stdio: ['ignore', log, log], detached: false });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline || server.exitCode !== null) {
      throw new Error(`verity serve did not become ready:\n${fs.readFileSync(path.join(work, 'serve.log'), 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.env.VERITY_E2E_URL = url;
  fs.writeFileSync(stateFile, JSON.stringify({ pid: server.pid, work, url }));
}
