/**
 * safetensors files, read and written by hand (https://github.com/huggingface/safetensors format):
 * 8-byte little-endian header length N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}` (offsets relative to the
 * end of the header), then row-major little-endian tensor data.
 * Reading widens F16/BF16 (and F64) to float32; writing supports F32, F16 and BF16 (round to nearest even).
 */
import { promises as fs } from "node:fs";
import { CheckpointError } from "../errors.js";
import { atomicWrite } from "./atomic.js";

export type SafetensorsDtype = "F32" | "F16" | "BF16";

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8 };
const MAX_HEADER = 100 * 1024 * 1024;

/** float32 -> bfloat16 bits, round to nearest even (NaN stays a quiet NaN), as torch's .to(bfloat16). */
export function f32ToBf16Bits(data: Float32Array): Uint16Array {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const u = bits[i]!;
    if ((u & 0x7f800000) === 0x7f800000 && (u & 0x007fffff) !== 0) out[i] = 0x7fc0;
    else out[i] = ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/** float32 -> IEEE half bits, round to nearest even, with subnormals and overflow to infinity. */
export function f32ToF16Bits(data: Float32Array): Uint16Array {
  const view = new DataView(new ArrayBuffer(4));
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    view.setFloat32(0, data[i]!);
    const u = view.getUint32(0);
    const sign = (u >>> 16) & 0x8000;
    const exp = (u >>> 23) & 0xff;
    let mant = u & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rem > mid || (rem === mid && (half & 1))) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
    out[i] = sign | half;
  }
  return out;
}

function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function decode(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case "F32":
      out.set(new Float32Array(new Uint8Array(bytes).buffer)); // an aligned copy (host is little-endian)
      break;
    case "BF16": {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case "F16":
      for (let i = 0; i < count; i++) out[i] = f16BitsToF32(view.getUint16(i * 2, true));
      break;
    case "F64":
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case "I32":
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case "I64":
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
  }
  return out;
}

/**
 * Reads every tensor of a safetensors file as float32. A truncated file, bad header or tensor whose
 * offsets disagree with its dtype and shape is a CheckpointError naming the file and tensor.
 */
export async function readSafetensors(file: string): Promise<{ tensors: Map<string, NamedTensor>; metadata: Record<string, string> }> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (err) {
    throw new CheckpointError(file, `cannot read: ${(err as Error).message}`);
  }
  if (buf.length < 8) throw new CheckpointError(file, `truncated: ${buf.length} bytes, too small for a safetensors header`);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (headerLen > MAX_HEADER || 8 + headerLen > buf.length) {
    throw new CheckpointError(file, `truncated or corrupt: header length ${headerLen} but file has ${buf.length} bytes`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLen).toString("utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(file, `header is not valid JSON: ${(err as Error).message}`);
  }
  const metadata = (header["__metadata__"] ?? {}) as Record<string, string>;
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: number[] };
    const dtype = info.dtype ?? "";
    if (!(dtype in BYTES)) throw new CheckpointError(file, `tensor ${name}: unsupported dtype ${dtype}`);
    const shape = info.shape ?? [];
    const [begin, end] = info.data_offsets ?? [NaN, NaN];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(Number.isInteger(begin) && Number.isInteger(end)) || end! - begin! !== count * BYTES[dtype]!) {
      throw new CheckpointError(file, `tensor ${name}: data_offsets [${begin}, ${end}] do not match ${dtype}[${shape}]`);
    }
    if (end! > dataLen) {
      throw new CheckpointError(file, `truncated: tensor ${name} needs bytes ${begin}..${end} of the data section, which has ${dataLen}`);
    }
    tensors.set(name, { shape, data: decode(buf.subarray(dataStart + begin!, dataStart + end!), dtype, count) });
  }
  return { tensors, metadata };
}

/** Encodes tensors (sorted by name, as the reference writers do) into safetensors bytes. */
export function encodeSafetensors(tensors: Map<string, NamedTensor>, dtype: SafetensorsDtype = "F32", metadata: Record<string, string> = { format: "pt" }): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw new Error(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
    let blob: Uint8Array;
    if (dtype === "F32") {
      const copy = new Float32Array(t.data); // little-endian on every platform Node supports
      blob = new Uint8Array(copy.buffer);
    } else {
      const bits = dtype === "BF16" ? f32ToBf16Bits(t.data) : f32ToF16Bits(t.data);
      blob = new Uint8Array(bits.buffer);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + blob.length] };
    blobs.push(blob);
    offset += blob.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const jsonBytes = Buffer.from(json, "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(jsonBytes.length));
  return [len, jsonBytes, ...blobs];
}

/** Writes a safetensors file atomically. */
export async function writeSafetensors(file: string, tensors: Map<string, NamedTensor>, opts: { dtype?: SafetensorsDtype; metadata?: Record<string, string> } = {}): Promise<void> {
  await atomicWrite(file, encodeSafetensors(tensors, opts.dtype ?? "F32", opts.metadata));
}
