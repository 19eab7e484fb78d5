/** `npm run audit:verify -- <tenant-slug>`: see server/modules/audit/audit-verify-cli.ts. */
import { runAuditVerify } from '../server/modules/audit/audit-verify-cli.js';

process.exitCode = await runAuditVerify({
  argv: process.argv.slice(2),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
