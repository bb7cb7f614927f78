// A `skulens serve` child process for the serve benchmark: started on port 0, called with a Bearer
// key, its RSS read from /proc (Linux), stopped with SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ServerChild {
  url: string;
  call(operation: string, body: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  projectArn(name: string): Promise<string>;
  versionStatus(arn: string): Promise<string | undefined>;
  waitFor(check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  /** Resident memory of the server process (all its threads), in MB. */
  rssMB(): number;
  /** CPU seconds (user + system, all threads) the server process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const REPO = path.resolve(import.meta.dirname, '..');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export async function spawnServer(home: string, env: NodeJS.ProcessEnv, key: { id: string; secret: string }): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--home', home, 'serve', '--port', '0', '--log-level', 'warn'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffer += text;
      const match = /Listening on (\S+)/.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const authorization = `Bearer ${key.id}:${key.secret}`;
  const call: ServerChild['call'] = async (operation, body) => {
    const response = await fetch(`${url}/v1/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  return {
    url,
    call,
    async projectArn(name) {
      return (await call('DescribeProjects', { ProjectNames: [name] })).body.ProjectDescriptions[0].ProjectArn;
    },
    async versionStatus(arn) {
      const project = /project\/([^/]+)\//.exec(arn)![1];
      const answer = await call('DescribeProjectVersions', { ProjectArn: project });
      const found = (answer.body.ProjectVersionDescriptions as { ProjectVersionArn: string; Status: string; StatusMessage?: string }[]).find((d) => d.ProjectVersionArn === arn);
      if (found?.Status === 'TRAINING_FAILED') throw new Error(`training failed: ${found.StatusMessage}`);
      return found?.Status;
    },
    async waitFor(check, what, timeoutMs = 1_800_000) {
      const deadline = Date.now() + timeoutMs;
      // Training runs on the server's main thread and can hold it for minutes; when it lets go, the
      // server may close the keep-alive socket a poll was just sent on. A reset poll is simply repeated.
      const ready = (): Promise<boolean> => check().catch((error: Error & { cause?: { code?: string } }) => {
        if (error.cause?.code === 'ECONNRESET' || error.cause?.code === 'UND_ERR_SOCKET') return false;
        throw error;
      });
      while (!(await ready())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    rssMB() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024);
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/<pid>/stat, counted after the ")" that ends the command name.
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    },
  };
}
