/** The world's checker: the project's verifiers (correct = the verifier's strict verdict). */
import { verify } from "../../verifiers/index.js";
import type { Checker } from "./build.js";

export const verifierCheck: Checker = (verifier, response, spec) => verify(verifier, response, spec).correct;
