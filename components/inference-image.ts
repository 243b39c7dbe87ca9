import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "./model-artifact";
import { packagePath, scriptCommand } from "./package-root";

/**
 * Build inputs as paths relative to the project directory (where Pulumi.yaml is, the directory Pulumi runs the
 * program in; the Docker provider resolves a relative context and Dockerfile from there). An absolute path of the
 * checkout would differ between a laptop and CI, and the diff would rebuild the image and roll the endpoint.
 * The context is the repository root: the root .dockerignore allow-lists what the image needs. From another program
 * both are the installed package's, relative to that program's directory (package-root.ts).
 */
export const BUILD_CONTEXT = packagePath();
export const DOCKERFILE = packagePath("container/Dockerfile");

export interface InferenceImageArgs {
  /** Images the ECR lifecycle policy keeps (older ones expire). */
  readonly imagesToKeep: number;
  /** Let destroy delete a repository that still holds images. Defaults to false. */
  readonly forceDelete?: boolean;
  /** Region of the repository, for the check of the pushed manifest. Required. */
  readonly region: pulumi.Input<string>;
  readonly tags?: Record<string, string>;
}

/**
 * The CUDA inference image: an ECR repository plus a linux/amd64 build of container/Dockerfile pushed with an
 * ECR token as a Docker v2 schema 2 manifest (the only kind SageMaker runs), checked in ECR after the push.
 * Downstream uses {@link imageUri}, the pushed digest, so a rebuild always rolls out a new Model.
 */
export class InferenceImage extends pulumi.ComponentResource {
  /** `<repositoryUrl>@sha256:...`, never a tag. */
  public readonly imageUri: pulumi.Output<string>;
  public readonly repositoryArn: pulumi.Output<string>;

  constructor(name: string, args: InferenceImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("whisper-async:image:InferenceImage", name, args, opts);
    const child = { parent: this };

    const repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "MUTABLE",
        forceDelete: args.forceDelete ?? false,
        tags: args.tags,
      },
      child,
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `keep the last ${args.imagesToKeep} images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.imagesToKeep },
              action: { type: "expire" },
            },
          ],
        }),
      },
      child,
    );

    const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, child);
    const latest = pulumi.interpolate`${repository.repositoryUrl}:latest`;
    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: BUILD_CONTEXT },
        dockerfile: { location: DOCKERFILE },
        platforms: ["linux/amd64"],
        tags: [latest],
        // The one export is the registry push, with Docker media types whatever the local image store: Docker
        // Engine 29+ and Docker Desktop 4.34+ on a clean install use the containerd store, whose own push writes an
        // OCI manifest, and SageMaker CreateModel rejects those ("Unsupported manifest media type
        // application/vnd.oci.image.manifest.v1+json"). BuildKit pushes here itself, so the store does not matter.
        // No attestations either: they would make the push an image index, which SageMaker rejects too.
        push: false,
        exports: [{ registry: { ociMediaTypes: false } }],
        // Registry cache: each pushed image carries its layer cache inline, and the next build starts from the
        // last pushed one, so a change under inference/ (CI's fresh runners included) rebuilds only the layers
        // after it, not the CUDA base and the pip layer. A first build finds no cache image and builds it all.
        cacheFrom: [{ registry: { ref: latest } }],
        cacheTo: [{ inline: {} }],
        // A preview does not build the CUDA image (minutes); the digest is known once `up` has pushed it.
        buildOnPreview: false,
        registries: [
          {
            address: repository.repositoryUrl,
            username: token.userName,
            password: pulumi.secret(token.password),
          },
        ],
      },
      child,
    );
    const imageUri = pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`;

    // What ECR holds is checked before any Model uses it: a manifest SageMaker rejects fails here, with the media
    // type and what to change, not after the 3 GB model upload at CreateModel.
    const manifestCheck = new command.local.Command(
      `${name}-manifest-check`,
      {
        create: pulumi
          .all([repository.name, image.digest])
          .apply(
            ([repo, digest]) =>
              `${scriptCommand("scripts/deploy-checks/image-manifest")} --repository ${shellQuote(repo)} --digest ${shellQuote(digest)}`,
          ),
        environment: { AWS_REGION: args.region },
        triggers: [image.digest],
      },
      child,
    );

    this.imageUri = pulumi.all([imageUri, manifestCheck.stdout]).apply(([uri]) => uri);
    this.repositoryArn = repository.arn;
    this.registerOutputs({ imageUri: this.imageUri, repositoryArn: this.repositoryArn });
  }
}
