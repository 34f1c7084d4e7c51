import { execFileSync } from "node:child_process";

/** Build dist/ once so CLI subprocess tests run the same code a user runs. */
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
