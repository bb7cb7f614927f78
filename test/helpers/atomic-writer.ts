// Child process for the kill test: writes a large file to argv[2] with writeFileAtomic, saying
// "start" on stdout just before the write begins. The parent SIGKILLs it mid-write.
import { writeFileAtomic } from '../../src/home/index.js';

const [target, megabytes] = process.argv.slice(2) as [string, string];
const data = Buffer.alloc(Number(megabytes) * 1024 * 1024, 0x6e);
process.stdout.write(`start ${process.pid}\n`);
await writeFileAtomic(target, data);
process.stdout.write('done\n');
