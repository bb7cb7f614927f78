// `skulens keys create|list|delete`: API keys of the HTTP server, each with a role (detect, train,
// admin). The secret is printed once.
import type { Command } from 'commander';
import { DEFAULT_ROLE, KeyStore, parseRole } from '../../auth/index.js';
import type { CliContext } from '../context.js';

export function registerKeys(program: Command, context: () => CliContext): void {
  const keys = program.command('keys').description('API keys for `skulens serve` (Bearer or AWS Signature V4)');
  const store = async (): Promise<{ ctx: CliContext; keys: KeyStore }> => {
    const ctx = context();
    return { ctx, keys: new KeyStore(await ctx.registry(), ctx.home) };
  };
  keys
    .command('create')
    .description('create a key; prints its id and secret once (the secret cannot be shown again)')
    .option('--description <text>', 'what the key is for')
    .option('--role <role>', 'detect (Detect*, Describe*, List*) | train (also datasets, versions, batches) | admin (also keys)', DEFAULT_ROLE)
    .option('--json', 'print {"KeyId","Secret","Role"}')
    .action(async (options: { description?: string; role: string; json?: boolean }) => {
      const role = parseRole(options.role);
      const { ctx, keys: store_ } = await store();
      const key = store_.create(options.description ?? null, role);
      if (options.json) ctx.print(JSON.stringify({ KeyId: key.id, Secret: key.secret, Role: key.role }));
      else {
        ctx.print(`Key id: ${key.id}`);
        ctx.print(`Secret: ${key.secret}`);
        ctx.print(`Role:   ${key.role}`);
      }
      ctx.info('Store the secret now: it is not shown again.');
      ctx.info(`curl:    -H "Authorization: Bearer ${key.id}:<secret>"`);
      ctx.info('AWS SDK / CLI: access key id = key id, secret access key = secret, endpoint = the server URL.');
    });
  keys
    .command('list')
    .description('list key ids with their roles (never secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { ctx, keys: store_ } = await store();
      const list = store_.list();
      if (options.json) ctx.print(JSON.stringify(list));
      else if (list.length === 0) ctx.print('No keys yet. Create one with `skulens keys create`.');
      else for (const key of list) ctx.print([key.id, key.role, key.createdAt, key.description ?? ''].join('\t'));
    });
  keys
    .command('delete <id>')
    .description('delete a key; requests made with it are refused from then on')
    .action(async (id: string) => {
      const { ctx, keys: store_ } = await store();
      store_.delete(id);
      ctx.print(`Deleted key ${id}`);
    });
}
