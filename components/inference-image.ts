import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";

/** Repository root: the Docker build context (the root .dockerignore allow-lists what the image needs). */
export const REPO_ROOT = path.resolve(__dirname, "..");

export interface InferenceImageArgs {
  /** Images the ECR lifecycle policy keeps (older ones expire). */
  readonly imagesToKeep: number;
  /** Let destroy delete a repository that still holds images. Defaults to false. */
  readonly forceDelete?: boolean;
  readonly tags?: Record<string, string>;
}

/**
 * The CUDA inference image: an ECR repository plus a linux/amd64 build of container/Dockerfile pushed with an
 * ECR token. Downstream uses {@link imageUri}, the pushed digest, so a rebuild always rolls out a new Model.
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
    const image = new docker.Image(
      `${name}-image`,
      {
        imageName: pulumi.interpolate`${repository.repositoryUrl}:latest`,
        build: {
          context: REPO_ROOT,
          dockerfile: path.join(REPO_ROOT, "container", "Dockerfile"),
          platform: "linux/amd64",
        },
        registry: {
          server: repository.repositoryUrl,
          username: token.userName,
          password: pulumi.secret(token.password),
        },
      },
      child,
    );

    this.imageUri = image.repoDigest;
    this.repositoryArn = repository.arn;
    this.registerOutputs({ imageUri: this.imageUri, repositoryArn: this.repositoryArn });
  }
}
