// `npm run <command>`: the command line's entry point (src/cli/run.ts is the command line itself).
import { removeTemporaryFilesOnSignals } from '../main/runs/atomic';
import { runCli } from './run';

removeTemporaryFilesOnSignals();

const code = await runCli(process.argv.slice(2));
// serve keeps running until it is stopped; every other command ends here.
if (code !== 0) process.exit(code);
