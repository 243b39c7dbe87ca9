"""A team's own Pulumi program in Python with the speech-to-text service in it.

`pulumi package add <this repository's git URL or path>` generates the `pulumi_whisper_sagemaker_async` SDK from the
component's schema (schema.json); this program then uses it like any Pulumi package. Not run by `npm test`: see
docs/component.md, "What was and was not run".
"""

import pulumi
import pulumi_whisper_sagemaker_async as whisper

captions = whisper.WhisperService(
    "captions",
    max_instances=1,
    idle_minutes=10,
    speaker_labels="on-request",
    callers=["web"],
    tags={"team": "media"},
)

pulumi.export("endpointName", captions.endpoint_name)
pulumi.export("bucketName", captions.bucket_name)
pulumi.export("clientPolicyArn", captions.client_policy_arn)
