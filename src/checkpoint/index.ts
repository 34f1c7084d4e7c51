/** HF-format checkpoints (config.json + model.safetensors + generation_config.json) and trainer state. */
export { saveModel, loadModel, type SaveModelOptions } from "./hf.js";
export { configFromHF, configToHF, generationConfigFor, TRANSFORMERS_VERSION } from "./hf-config.js";
export { readSafetensors, writeSafetensors, encodeSafetensors, f32ToBf16Bits, f32ToF16Bits, type NamedTensor, type SafetensorsDtype } from "./safetensors.js";
export { saveTrainerState, loadTrainerState, type TrainerState, TRAINER_STATE_FILE, optimizerFileName } from "./trainer-state.js";
export { atomicWrite } from "./atomic.js";
