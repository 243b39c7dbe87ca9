/**
 * The speaker-diarization models, uploaded next to the Whisper model when package-model runs with
 * `--diarization`: `diarization/segmentation.onnx` and `diarization/embedding.onnx` inside the model prefix,
 * where the server looks for them (`<MODEL_DIR>/diarization/`, see inference/whisper_server/diarizer.py).
 *
 * Both are the ONNX exports that sherpa-onnx publishes (its GitHub release assets), fetched from the copies
 * its maintainer keeps on the Hugging Face hub, because the hub serves each file alone (the GitHub release
 * of the segmentation model is a .tar.bz2) at a pinned commit. Size and sha256 are pinned here too: a file
 * whose bytes differ never becomes an S3 object, whatever the hub serves.
 */
import type { Readable } from "node:stream";
import { openHubFile, type HubConnection } from "./hub-source";
import type { ModelFile, ModelSource } from "./source";

/** Folder of the diarization models inside the model prefix. */
export const DIARIZATION_DIR = "diarization";

/** One file fetched from a pinned hub commit and stored at `path` inside the model prefix. */
export interface PinnedHubFile extends ModelFile {
  readonly sha256: string;
  readonly repo: string;
  /** Full 40-hex commit. */
  readonly revision: string;
  /** Path of the file in `repo`. */
  readonly remotePath: string;
}

export const DIARIZATION_MODELS: readonly PinnedHubFile[] = [
  {
    // pyannote segmentation-3.0 (weights MIT), fp32: int8 was measured less accurate and no faster.
    path: `${DIARIZATION_DIR}/segmentation.onnx`,
    repo: "csukuangfj/sherpa-onnx-pyannote-segmentation-3-0",
    revision: "9403a6902bb58e3d5ae8c7e77c3422de279db2e0",
    remotePath: "model.onnx",
    size: 5_992_913,
    sha256: "220ad67ca923bef2fa91f2390c786097bf305bceb5e261d4af67b38e938e1079",
  },
  {
    // 3D-Speaker CAM++ zh_en common advanced (weights Apache-2.0), 192-dim speaker embeddings.
    path: `${DIARIZATION_DIR}/embedding.onnx`,
    repo: "csukuangfj/speaker-embedding-models",
    revision: "0743f301363dec56491a490f6d6cbc9d67f9a3bf",
    remotePath: "3dspeaker_speech_campplus_sv_zh_en_16k-common_advanced.onnx",
    size: 28_281_164,
    sha256: "aa3cfc16963a10586a9393f5035d6d6b57e98d358b347f80c2a30bf4f00ceba2",
  },
];

/** `source` plus the pinned diarization files; the model's own files are opened by `source` as before. */
export function withDiarizationModels(
  source: ModelSource,
  hub: HubConnection,
  pins: readonly PinnedHubFile[] = DIARIZATION_MODELS,
): ModelSource {
  const byPath = new Map(pins.map((pin) => [pin.path, pin]));
  return {
    ...source,
    files: [...source.files, ...pins.map((pin): ModelFile => ({ path: pin.path, size: pin.size, sha256: pin.sha256 }))],
    open(file: ModelFile, signal: AbortSignal): Promise<Readable> {
      const pin = byPath.get(file.path);
      return pin ? openHubFile(hub, pin.repo, pin.revision, pin.remotePath, signal) : source.open(file, signal);
    },
  };
}
