/**
 * The completion marker. A model prefix counts as complete only when its manifest exists, and the manifest
 * is written last, after every file was verified. It lives NEXT TO the model prefix, not inside it
 * (`<prefix><repo>/<revision>.manifest.json` for `<prefix><repo>/<revision>/`), so the directory SageMaker
 * mounts at /opt/ml/model holds the model files and nothing else.
 *
 * The manifest is deterministic (no timestamps): an unchanged model yields a byte-identical manifest, which
 * lets a re-run skip writing it.
 */
import type { SourceIdentity } from "./source";

/** One verified file. */
export interface ManifestFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Manifest {
  /** Format marker, for readers that check what they parse. */
  readonly format: "package-model/v1";
  readonly source: SourceIdentity;
  /** The model prefix this manifest vouches for, e.g. `s3://bucket/models/org/repo/<revision>/`. */
  readonly uri: string;
  readonly files: readonly ManifestFile[];
}

/** The manifest key for a model key prefix (`a/b/` -> `a/b.manifest.json`). */
export function manifestKeyFor(modelKeyPrefix: string): string {
  return `${modelKeyPrefix.replace(/\/+$/, "")}.manifest.json`;
}

/** The manifest as stored: pretty JSON, files in path order, trailing newline. */
export function renderManifest(source: SourceIdentity, uri: string, files: readonly ManifestFile[]): string {
  const manifest: Manifest = {
    format: "package-model/v1",
    source,
    uri,
    files: [...files].sort((a, b) => a.path.localeCompare(b.path)),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
