// Child process for the server-killed tests: serves the home at argv[2] on 127.0.0.1 (a free port) with an
// admin key, prints {"url","bearer"} as one line, and runs until it is killed.
import { KeyStore } from '../../src/auth/index.js';
import { resolveHome } from '../../src/home/index.js';
import { createServer } from '../../src/serve/index.js';

const home = resolveHome(process.argv[2], {});
const server = await createServer({ home, workers: 1, env: { PATH: process.env.PATH } });
const url = await server.listen({ host: '127.0.0.1', port: 0 });
const key = new KeyStore(server.registry, home).create('killed-server test', 'admin');
process.stdout.write(`${JSON.stringify({ url, bearer: `Bearer ${key.id}:${key.secret}` })}\n`);
