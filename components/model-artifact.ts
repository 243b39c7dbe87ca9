import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { scriptCommand } from "./package-root";

export interface ModelArtifactArgs {
  /** Bucket the model is uploaded to. */
  readonly bucketName: pulumi.Input<string>;
  /** Key prefix for models inside the bucket, e.g. "models/". */
  readonly prefix: string;
  /** Hugging Face repo id; used unless localDir is set. */
  readonly repo: string;
  /** Pinned 40-hex commit of repo. */
  readonly revision: string;
  /** Local CTranslate2 model directory to upload instead of a Hub revision. */
  readonly localDir?: string;
  /** Also upload the speaker-diarization models (package-model `--diarization`). Defaults to false. */
  readonly diarization?: boolean;
  /** Region the AWS SDK in scripts/package-model uses. */
  readonly region: pulumi.Input<string>;
  /**
   * Variables that give scripts/package-model the identity of the stack's aws provider (see
   * upload-identity.ts). Defaults to none: the SDK's default chain in the shell that runs `pulumi up`.
   */
  readonly identityEnvironment?: Record<string, pulumi.Input<string>>;
}

/** POSIX single-quote a shell word, so repo ids, paths and bucket names pass through verbatim. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The model as an uncompressed S3 prefix, produced by `scripts/package-model` (idempotent: files already
 * uploaded intact are skipped). Re-runs when the repo, revision or local directory changes.
 *
 * Model prefixes are kept on purpose: the command has no delete step, so a model change leaves the previous prefix
 * in place (the running endpoint serves from it until the new EndpointConfig is live, and a rollback to it needs no
 * upload), and the lifecycle rule never expires `models/`. `pulumi destroy` leaves them too, so it stops at the
 * non-empty bucket unless forceDestroy is true (then the bucket goes with every model). docs/updates.md,
 * shows how to delete an old prefix by hand.
 */
export class ModelArtifact extends pulumi.ComponentResource {
  /** `s3://<bucket>/<prefix>.../` as printed by package-model (trailing slash). */
  public readonly modelDataUrl: pulumi.Output<string>;

  constructor(name: string, args: ModelArtifactArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:model:ModelArtifact", name, args, opts);

    const source = args.localDir
      ? `--local-dir ${shellQuote(args.localDir)}`
      : `--repo ${shellQuote(args.repo)} --revision ${shellQuote(args.revision)}`;
    const diarization = args.diarization ? " --diarization" : "";
    const create = pulumi
      .output(args.bucketName)
      .apply(
        (bucket) =>
          `${scriptCommand("scripts/package-model")} ${source} --bucket ${shellQuote(bucket)} --prefix ${shellQuote(args.prefix)}${diarization}`,
      );

    const packaging = new command.local.Command(
      `${name}-package`,
      {
        create,
        // No `dir`: the command runs in the project directory, like the program; an absolute checkout path here
        // would show as a diff (and re-run the upload) whenever the stack is updated from another directory.
        environment: { ...args.identityEnvironment, AWS_REGION: args.region },
        // A bucket change also changes `create`, which re-runs the upload into the new bucket.
        triggers: [args.repo, args.revision, args.localDir ?? "", String(args.diarization ?? false)],
      },
      { parent: this },
    );

    this.modelDataUrl = packaging.stdout.apply((stdout) => stdout.trim());
    this.registerOutputs({ modelDataUrl: this.modelDataUrl });
  }
}
