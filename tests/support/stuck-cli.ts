/**
 * A CLI stuck where Node's own exit hangs: reading a FIFO nobody writes to blocks a thread-pool thread, and
 * process.exit waits for it. Used to check that SIGTERM still ends a CLI (`runMain`).
 */
import { readFile } from "node:fs/promises";
import { runMain } from "../../scripts/cli-kit/run";

runMain(async () => {
  console.error("reading");
  await readFile(process.argv[2]);
  return 0;
});
