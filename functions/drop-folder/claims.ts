/**
 * Claims: how one recording version is submitted once although S3 and Lambda deliver its event at least once.
 *
 * The first delivery creates the claim with a conditional put (`If-None-Match: *`), which only one writer can win,
 * invokes the endpoint, then marks the claim submitted. A repeat that finds a submitted claim does nothing. One that
 * finds a claim not yet submitted either waits (the claimer may still be at work: the event fails and Lambda retries
 * it later) or, once the claim is older than any run of the submit function, takes it over with a put conditional on
 * the claim's ETag (`If-Match`), so that a function killed between its claim and its invocation loses nothing.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { statusOf } from "./objects";

/** Seconds the submit function may run (its Lambda timeout; components/drop-folder.ts sets it from here). */
export const SUBMIT_TIMEOUT_SECONDS = 60;
/** Age after which a claim not marked submitted belongs to a run that ended: twice the function's timeout. */
export const STALE_CLAIM_SECONDS = 2 * SUBMIT_TIMEOUT_SECONDS;

/** What a claim records: which recording version an inference is, for the deliver function. */
export interface Claim {
  readonly recording: string;
  readonly eTag: string;
  /** The recording's own options metadata as it was submitted (absent: none). */
  readonly metadataOptions?: string;
  /** The options header sent with the inference. */
  readonly options: string;
  readonly claimedAt: string;
  /** Set once the endpoint accepted the inference. */
  readonly submittedAt?: string;
}

/** Another delivery of the same event holds the claim and may still submit it; the event is retried later. */
export class ClaimInProgress extends Error {}

/** Puts `claim` at `key` under a condition; false when the condition failed (another writer was first). */
async function putIf(
  s3: S3Client,
  bucket: string,
  key: string,
  claim: Claim,
  condition: { IfNoneMatch: "*" } | { IfMatch: string },
): Promise<boolean> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(claim),
        ContentType: "application/json",
        ...condition,
      }),
    );
    return true;
  } catch (error) {
    // 412: the condition failed. 409: a concurrent conditional write to the same key won (S3 asks to retry).
    if (statusOf(error) === 412 || statusOf(error) === 409) return false;
    throw error;
  }
}

/**
 * Takes the claim at `key` for `claim`. Returns true when this caller must submit, false when the recording
 * version was already submitted; throws {@link ClaimInProgress} while another caller may still be submitting it.
 */
export async function takeClaim(
  s3: S3Client,
  bucket: string,
  key: string,
  claim: Claim,
  now: Date = new Date(),
): Promise<boolean> {
  if (await putIf(s3, bucket, key, claim, { IfNoneMatch: "*" })) return true;
  const current = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const held = JSON.parse(await current.Body!.transformToString("utf-8")) as Claim;
  if (held.submittedAt) return false;
  const ageSeconds = (now.getTime() - Date.parse(held.claimedAt)) / 1000;
  if (ageSeconds < STALE_CLAIM_SECONDS) {
    throw new ClaimInProgress(`claimed ${Math.round(ageSeconds)} s ago and not submitted yet; retry later`);
  }
  if (await putIf(s3, bucket, key, claim, { IfMatch: current.ETag! })) return true;
  throw new ClaimInProgress("another delivery took the stale claim over first; retry later");
}

/** Marks the claim submitted, so that repeats of the event do nothing. */
export async function markSubmitted(s3: S3Client, bucket: string, key: string, claim: Claim): Promise<void> {
  const submitted: Claim = { ...claim, submittedAt: new Date().toISOString() };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(submitted),
      ContentType: "application/json",
    }),
  );
}
