import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/**
 * Build inputs as paths relative to the project directory (where Pulumi.yaml is, the directory Pulumi runs the
 * program in; the Docker provider resolves a relative context and Dockerfile from there). An absolute path of the
 * checkout would differ between a laptop and CI, and the diff would rebuild the image and roll the endpoint.
 * The context is the repository root: the root .dockerignore allow-lists what the image needs.
 */
export const BUILD_CONTEXT = ".";
export const DOCKERFILE = "container/Dockerfile";

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
          context: BUILD_CONTEXT,
          dockerfile: DOCKERFILE,
          platform: "linux/amd64",
          // Registry cache: each pushed image carries its layer cache inline, and the next build starts from the
          // last pushed one, so a change under inference/ (CI's fresh runners included) rebuilds only the layers
          // after it, not the CUDA base and the pip layer. A first build finds no cache image and builds it all.
          builderVersion: "BuilderBuildKit",
          args: { BUILDKIT_INLINE_CACHE: "1" },
          cacheFrom: { images: [pulumi.interpolate`${repository.repositoryUrl}:latest`] },
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
