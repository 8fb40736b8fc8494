import * as fs from 'node:fs';
import { stateFile } from './global-setup';

export default async function globalTeardown() {
  if (!fs.existsSync(stateFile)) return;
  const { pid, work } = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM'); // verity stops its PostgreSQL on the way out
  } catch { /* already gone */ }
  for (let i = 0; i < 100; i++) {
    try { process.kill(pid, 0); } catch { break; }
    await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(stateFile, { force: true });
}
