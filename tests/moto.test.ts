import assert from "node:assert/strict";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { startMoto, type MotoServer } from "./support/moto";

// Guards the test harness itself: if this fails, every emulator-backed test below it is meaningless.
describe("moto test harness", () => {
  let moto: MotoServer;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => moto?.stop());

  it("serves S3 on loopback through the SDK's standard endpoint variable", async () => {
    const s3 = new S3Client({
      endpoint: moto.awsEnv.AWS_ENDPOINT_URL,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: "harness-check" }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      Buckets?.map((b) => b.Name),
      ["harness-check"],
    );
    await moto.reset();
    const after = await s3.send(new ListBucketsCommand({}));
    assert.equal(after.Buckets?.length ?? 0, 0);
  });
});
