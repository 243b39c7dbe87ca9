#!/usr/bin/env bash
# Transcribes one file with the deployed endpoint using only the AWS CLI (v1 or v2; no curl, no SDK):
#
#   ENDPOINT=$(pulumi stack output endpointName) BUCKET=$(pulumi stack output bucketName) \
#     clients/shell/transcribe.sh talk.mp3 > talk.json
#
# Environment: ENDPOINT and BUCKET (required); PREFIX (default async/inputs/, the stack's inputPrefix); ACCEPT
# (default application/json; text/plain, application/x-subrip, text/vtt); OPTIONS, the server's options as
# custom attributes (e.g. "language=en;word_timestamps=true", values percent-encoded); TIMEOUT in seconds
# (default 1200); INFERENCE_ID (default a random UUID); CALLER, a name of the stack's `callers` setting: uploads under
# PREFIX/CALLER/, results under async/outputs/CALLER/ (S3OutputPathExtension), and an access-denied check counts as
# "not yet" until TIMEOUT (S3 may refuse a caller's listing of a result not written yet).
# Prints the result on stdout. Exit codes as the CLIs': 0 done, 1 the job failed (the server's
# {"error","message"} on stderr) or an AWS call was refused, 2 usage error or no result within TIMEOUT.
set -euo pipefail

usage() { echo "usage: ENDPOINT=... BUCKET=... $0 FILE ($1)" >&2; exit 2; }
[ $# -eq 1 ] || usage "give one file"
file=$1
[ -f "$file" ] || usage "no such file: $file"
[ -n "${ENDPOINT:-}" ] || usage "set ENDPOINT: pulumi stack output endpointName"
[ -n "${BUCKET:-}" ] || usage "set BUCKET: pulumi stack output bucketName"
prefix=${PREFIX:-async/inputs/}
caller=${CALLER:-}
if [ -n "$caller" ]; then
  [[ "$caller" =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]] || usage "CALLER must match ^[a-z0-9][a-z0-9-]{0,31}\$, got $caller"
  prefix="${prefix%/}/$caller/"
fi
timeout=${TIMEOUT:-1200}
id=${INFERENCE_ID:-$( (uuidgen 2>/dev/null || cat /proc/sys/kernel/random/uuid) | tr 'A-Z' 'a-z')}

# An unguessable key under the input prefix; the file name made safe for S3 and SageMaker.
input="s3://$BUCKET/${prefix%/}/$id/$(basename "$file" | tr -c 'A-Za-z0-9._\n-' '_')"
aws s3 cp "$file" "$input" --only-show-errors

# InvocationTimeoutSeconds 3600: SageMaker's maximum (its default, 900 s, could cut hour-long files).
locations=$(aws sagemaker-runtime invoke-endpoint-async \
  --endpoint-name "$ENDPOINT" --input-location "$input" --inference-id "$id" --accept "${ACCEPT:-application/json}" \
  ${OPTIONS:+--custom-attributes "$OPTIONS"} --invocation-timeout-seconds 3600 \
  ${caller:+--s3-output-path-extension "$caller"} \
  --query '[OutputLocation, FailureLocation]' --output text)
read -r output failure <<<"$locations"

# Whether an object exists: `aws s3 ls` fails silently for a missing key and with a message for a real error
# (no credentials, access denied), which ends the script rather than waiting for nothing. Under CALLER an access
# denied is "not yet" (remembered in $denied for the timeout message).
denied=
exists() {
  local error status=0
  error=$(aws s3 ls "$1" 2>&1 >/dev/null) || status=$?
  [ "$status" -eq 0 ] && return 0
  [ -z "$error" ] && return 1
  if [ -n "$caller" ] && [[ "$error" == *AccessDenied* || "$error" == *Forbidden* || "$error" == *403* ]]; then
    denied=1
    return 1
  fi
  echo "checking $1: $error" >&2
  exit 1
}

# Poll both locations with exponential backoff (1 s doubling to 15 s, each pause random up to that step) until
# TIMEOUT; or subscribe a queue to the stack's successTopicArn / errorTopicArn instead.
deadline=$(($(date +%s) + timeout))
step=1
while :; do
  denied=
  if exists "$output"; then
    aws s3 cp "$output" - --only-show-errors
    exit 0
  fi
  if [ "$failure" != "None" ] && exists "$failure"; then
    aws s3 cp "$failure" - --only-show-errors >&2
    echo >&2
    exit 1
  fi
  now=$(date +%s)
  if [ "$now" -ge "$deadline" ]; then
    echo "no result after $timeout s for inference $id; it may still appear at $output${denied:+; no result visible (S3 answered 403 to the checks); if this persists, check the caller policy}" >&2
    exit 2
  fi
  pause=$((1 + RANDOM % step))
  [ "$pause" -le $((deadline - now)) ] || pause=$((deadline - now))
  sleep "$pause"
  step=$((step * 2 > 15 ? 15 : step * 2))
done
