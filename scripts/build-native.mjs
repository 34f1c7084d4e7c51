#!/usr/bin/env node
// Builds the optional native matmul addon in native/ (npm's "install" script). It never fails the install: without
// a C++ compiler, Python or Node's headers it prints one line and the project runs on the plain wasm kernels.
// It never downloads anything either: node-gyp is pointed at the headers of the running Node when they are
// installed next to it (as Debian's nodejs does), and otherwise at whatever npm's `nodedir` setting says.
// POSTTRAIN_SKIP_NATIVE=1 skips the build.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = path.join(root, "native");
const addonPath = path.join(nativeDir, "build", "Release", "posttrain_native.node");

function say(line) {
  console.log(`posttrain: ${line}`);
}

/** node-gyp as npm ships it: npm tells scripts where it is; otherwise look beside npm and node. */
function findNodeGyp() {
  const gypBin = path.join("node-gyp", "bin", "node-gyp.js");
  const npmCli = process.env.npm_execpath;
  const candidates = [
    process.env.npm_config_node_gyp,
    npmCli && path.join(path.dirname(npmCli), "..", "node_modules", gypBin),
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", gypBin),
  ];
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  try {
    return createRequire(path.join(root, "package.json")).resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

/** Headers installed with this Node (prefix/include/node), so node-gyp needs no download. */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return null; // npm's setting already reaches node-gyp
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : null;
}

/** The most telling line of a failed build's output, e.g. "make: g++: No such file or directory". */
function reasonOf(output) {
  const lines = output.split("\n").map((line) => line.trim()).filter(Boolean);
  const own = lines.filter((line) => !line.startsWith("gyp "));
  const telling =
    own.find((line) => /not found|no such file|error/i.test(line)) ??
    lines.find((line) => /^gyp ERR! stack Error/.test(line)) ??
    lines.at(-1);
  return (telling ?? "unknown failure").replace(/^gyp ERR! stack /, "").slice(0, 200);
}

function main() {
  const fallbackNote = "the wasm backend's own matmul will be used";
  if (process.env.POSTTRAIN_SKIP_NATIVE === "1") {
    say(`native matmul build skipped (POSTTRAIN_SKIP_NATIVE=1); ${fallbackNote}`);
    return;
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    say(`native matmul not built (node-gyp not found); ${fallbackNote}`);
    return;
  }
  const args = [nodeGyp, "rebuild", "--jobs=2"];
  const nodeDir = localNodeDir();
  if (nodeDir) args.push(`--nodedir=${nodeDir}`);
  const result = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: "utf8", timeout: 600_000 });
  if (result.status !== 0) {
    rmSync(path.join(nativeDir, "build"), { recursive: true, force: true });
    const why = result.error ? result.error.message : reasonOf(`${result.stderr ?? ""}\n${result.stdout ?? ""}`);
    say(`native matmul not built (${why}); ${fallbackNote}`);
    return;
  }
  try {
    const info = createRequire(import.meta.url)(addonPath).info();
    say(`native matmul built (${info.isa}, ${info.threads} threads): ${path.relative(root, addonPath)}`);
  } catch (error) {
    rmSync(path.join(nativeDir, "build"), { recursive: true, force: true });
    say(`native matmul built but does not load (${error.message.split("\n")[0]}); ${fallbackNote}`);
  }
}

main();
