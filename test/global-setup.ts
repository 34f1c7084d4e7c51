import { spawnSync } from "node:child_process";

/**
 * Build dist/ once so CLI subprocess tests run the same code a user runs. Type errors do not stop the emit;
 * `npm test` runs the strict typecheck before vitest, so they still fail the suite.
 * POSTTRAIN_SKIP_BUILD=1 skips it when the tests at hand spawn no CLI.
 */
export default function setup(): void {
  if (process.env.POSTTRAIN_SKIP_BUILD === "1") return;
  spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "ignore" });
}
