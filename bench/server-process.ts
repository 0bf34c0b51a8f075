// The benches' endpoint: the test server of endpoint-server.ts in a child process (a real endpoint is another
// process, so the client's event loop does not also carry the server's work); closing its stdin stops it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export async function startServerProcess(latencyMs: number, reply: string): Promise<{ url: string; close: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./endpoint-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(latencyMs), reply], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it started`)));
  });
  return {
    url,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}
