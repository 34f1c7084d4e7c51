/** The synthetic task world: seeded generators, the split builder and the writer of `datasets/world`. */
export { SIZES, buildWorld, assertNoLeakage, checkItem, type Checker, type SizeName, type World, type WorldFile, type WorldSizes } from "./build.js";
export { generateWorld, sha256, type GenerateOptions } from "./generate.js";
export { dataCard, type FileFacts } from "./card.js";
export { splitOfKey, type Split, type TaskItem, type TaskKind } from "./item.js";
export { gsmItem } from "./gsm.js";
export { mathItem } from "./math.js";
export { ifevalItem } from "./ifeval.js";
export { chatItem } from "./chat.js";
export { corpus } from "./corpus.js";
export { verifierCheck } from "./check.js";
