/**
 * image-manifest: checks that the image `pulumi up` pushed to ECR has the one manifest media type SageMaker runs,
 * Docker v2 schema 2. SageMaker CreateModel rejects OCI manifests and image indexes ("Unsupported manifest media
 * type ..."); failing here names the cause before the model upload and the Model. See docs/updates.md.
 *
 *   node_modules/.bin/tsx scripts/deploy-checks/image-manifest.ts --repository NAME --digest sha256:...
 */
import { DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { CheckFailed, runCheck } from "./cli";

/** The manifest media type SageMaker accepts for a model container image. */
export const SAGEMAKER_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

/** Why SageMaker would refuse an image of this manifest media type, or undefined when it runs it. */
export function manifestProblem(mediaType: string | undefined): string | undefined {
  if (mediaType === SAGEMAKER_MANIFEST_MEDIA_TYPE) return undefined;
  const kind = /index|list/.test(mediaType ?? "") ? "an image index (multi-platform or with attestations)" : "";
  return (
    `the pushed image has manifest media type ${mediaType ?? "(none reported)"}${kind ? `, ${kind}` : ""}; ` +
    `SageMaker runs only ${SAGEMAKER_MANIFEST_MEDIA_TYPE}. The program pushes with Docker media types and no ` +
    "attestations (components/inference-image.ts); if a Docker setting overrides that, build with " +
    "`--output type=registry,oci-mediatypes=false --provenance=false` or turn off the containerd image store, then " +
    "run `pulumi up` again"
  );
}

/** Reads the pushed image's manifest media type from ECR and returns the verdict line, or throws CheckFailed. */
export async function checkImageManifest(client: ECRClient, repositoryName: string, digest: string): Promise<string> {
  const response = await client.send(
    new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: digest }] }),
  );
  const mediaType = response.imageDetails?.[0]?.imageManifestMediaType;
  const problem = manifestProblem(mediaType);
  if (problem !== undefined) throw new CheckFailed(`${repositoryName}@${digest}: ${problem}`);
  return `${repositoryName}@${digest}: ${mediaType}`;
}

if (require.main === module) {
  void runCheck(
    "Usage: tsx scripts/deploy-checks/image-manifest.ts --repository NAME --digest sha256:HEX",
    ["repository", "digest"],
    [],
    (o) => checkImageManifest(new ECRClient({}), o.repository, o.digest),
  );
}
