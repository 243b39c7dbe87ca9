/**
 * The parts of the events the functions read, parsed and checked: S3 event notifications (submit) and SNS
 * notifications carrying SageMaker's asynchronous inference results (deliver). Only what is read is typed.
 */

/** One created object, as an S3 `ObjectCreated:*` record names it. */
export interface CreatedObject {
  /** The key, decoded (S3 writes it URL-encoded with `+` for spaces). */
  readonly key: string;
  /** The ETag of the version the event is about (no quotes). */
  readonly eTag: string;
  readonly size: number;
}

/** The created objects of an S3 event; throws on a record that is not one. */
export function createdObjects(event: unknown): CreatedObject[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) throw new Error("not an S3 event: no Records list");
  return records.map((record) => {
    const object = record?.s3?.object;
    if (record?.eventSource !== "aws:s3" || typeof object?.key !== "string" || typeof object?.eTag !== "string") {
      throw new Error(`not an S3 object record: ${JSON.stringify(record).slice(0, 300)}`);
    }
    return {
      key: decodeURIComponent(object.key.replace(/\+/g, " ")),
      eTag: object.eTag.replace(/"/g, ""),
      size: Number(object.size ?? 0),
    };
  });
}

/** SageMaker's notification of one finished asynchronous inference. */
export interface InferenceNotification {
  readonly inferenceId: string;
  /** `Completed`, else the inference failed. */
  readonly completed: boolean;
  /** Where the response is (`s3://...`), when completed. */
  readonly outputLocation?: string;
  /** Where the error response is, when failed and the container answered. */
  readonly failureLocation?: string;
  /** SageMaker's text for a failure. */
  readonly failureReason?: string;
}

/** The SageMaker notifications of an SNS event; throws on a record that is not one. */
export function inferenceNotifications(event: unknown): InferenceNotification[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) throw new Error("not an SNS event: no Records list");
  return records.map((record) => {
    let message: Record<string, unknown> | undefined;
    try {
      message = JSON.parse(record?.Sns?.Message);
    } catch {
      message = undefined;
    }
    if (typeof message?.inferenceId !== "string" || typeof message?.invocationStatus !== "string") {
      throw new Error(`not a SageMaker inference notification: ${JSON.stringify(record).slice(0, 300)}`);
    }
    const response = (message.responseParameters ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
    return {
      inferenceId: message.inferenceId,
      completed: message.invocationStatus === "Completed",
      outputLocation: text(response.outputLocation),
      failureLocation: text(response.failureLocation),
      failureReason: text(message.failureReason),
    };
  });
}
