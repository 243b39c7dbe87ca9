"""Check the AWS API requests a Pulumi program implies against botocore's service models.

Input: a JSON list of ``{"type", "name", "inputs"}`` records, the AWS resources as the program registered
them (tests/aws-contract/requests.test.ts writes it from the program run under mocks). Each record becomes the
request the provider sends to create it (CreateModel, PutMetricAlarm, ...), which is checked against the
operation's input shape in botocore's JSON model: botocore's own ParamValidator (required members, types,
minimum lengths and values, members the shape does not have: a mapping mistake, or an input AWS would
reject), then what that validator skips: enums, patterns, maximum lengths, list sizes and numeric maximums.
Rules stated only in words are checked too: the API reference's (``documented_rules``) and the value lists
in the model's own documentation strings (``documented_values``, e.g. log retention days).

Output (stdout): JSON ``{"requests": [{"resource", "operation"}], "violations": [text]}``; exit 0 either way
(the caller asserts), 2 on bad usage.

The mapping from the provider's inputs to the request is ours (one function per resource type below); the
shapes, enums and patterns are AWS's. Names the provider generates (autonaming) are filled in as it does:
the resource's name, a dash and seven characters.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import botocore.session
import regex
from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator

AUTONAME_SUFFIX = "-0a1b2c3"

Request = tuple[str, str, dict[str, Any]]


def pascal(value: Any, renames: dict[str, str] | None = None) -> Any:
    """The provider's camelCase inputs as the API's PascalCase members, recursively; unset values dropped."""
    renames = renames or {}
    if isinstance(value, list):
        return [pascal(item, renames) for item in value]
    if isinstance(value, dict):
        return {
            renames.get(key, key[:1].upper() + key[1:]): pascal(item, renames)
            for key, item in value.items()
            if item is not None
        }
    return value


def tag_list(tags: dict[str, str] | None) -> list[dict[str, str]] | None:
    return [{"Key": k, "Value": v} for k, v in tags.items()] if tags else None


def dimension_list(dimensions: dict[str, str] | None) -> list[dict[str, str]] | None:
    return [{"Name": k, "Value": v} for k, v in dimensions.items()] if dimensions else None


def compact(request: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in request.items() if value is not None}


def name_of(record: dict[str, Any], key: str = "name") -> str:
    return record["inputs"].get(key) or record["name"] + AUTONAME_SUFFIX


def sagemaker_model(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    container = dict(inputs["primaryContainer"])
    sources = container.pop("modelDataSource", None)
    primary = pascal(container)
    if sources is not None:
        # The provider's list of one source is the API's single S3DataSource.
        (source,) = sources["s3DataSources"]
        primary["ModelDataSource"] = {"S3DataSource": pascal(source)}
    request = {
        "ModelName": name_of(r),
        "ExecutionRoleArn": inputs["executionRoleArn"],
        "EnableNetworkIsolation": inputs.get("enableNetworkIsolation"),
        "PrimaryContainer": primary,
        "Tags": tag_list(inputs.get("tags")),
    }
    return [("sagemaker", "CreateModel", compact(request))]


def sagemaker_endpoint_config(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    renames = {"includeInferenceResponseIns": "IncludeInferenceResponseIn"}
    request = {
        "EndpointConfigName": name_of(r),
        "ProductionVariants": pascal(inputs["productionVariants"]),
        "AsyncInferenceConfig": pascal(inputs.get("asyncInferenceConfig"), renames),
        "KmsKeyId": inputs.get("kmsKeyArn"),
        "Tags": tag_list(inputs.get("tags")),
    }
    return [("sagemaker", "CreateEndpointConfig", compact(request))]


def sagemaker_endpoint(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "EndpointName": name_of(r),
        "EndpointConfigName": inputs["endpointConfigName"],
        "DeploymentConfig": pascal(inputs.get("deploymentConfig")),
        "Tags": tag_list(inputs.get("tags")),
    }
    return [("sagemaker", "CreateEndpoint", compact(request))]


def scalable_target(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = pascal({k: v for k, v in inputs.items() if k != "tags"})
    request["Tags"] = inputs.get("tags") or None
    return [("application-autoscaling", "RegisterScalableTarget", compact(request))]


def scaling_policy(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = pascal({k: v for k, v in inputs.items() if k != "name"})
    request["PolicyName"] = name_of(r)
    step = request.get("StepScalingPolicyConfiguration")
    for adjustment in (step or {}).get("StepAdjustments", []):
        # The provider takes the bounds as strings (so "0" differs from unset); the API takes doubles.
        for bound in ("MetricIntervalLowerBound", "MetricIntervalUpperBound"):
            if bound in adjustment:
                adjustment[bound] = float(adjustment[bound])
    return [("application-autoscaling", "PutScalingPolicy", compact(request))]


def metric_alarm(r: dict[str, Any]) -> list[Request]:
    inputs = dict(r["inputs"])
    queries = inputs.pop("metricQueries", None)
    renames = {"okActions": "OKActions", "statistic": "Statistic"}
    request = pascal(
        {k: v for k, v in inputs.items() if k not in ("name", "dimensions", "tags")},
        renames,
    )
    request["AlarmName"] = name_of(r)
    request["Dimensions"] = dimension_list(inputs.get("dimensions"))
    request["Tags"] = tag_list(inputs.get("tags"))
    if queries is not None:
        request["Metrics"] = [metric_query(q) for q in queries]
    return [("cloudwatch", "PutMetricAlarm", compact(request))]


def metric_query(query: dict[str, Any]) -> dict[str, Any]:
    """The provider's metricQuery (metric inline) as the API's MetricDataQuery (MetricStat around Metric)."""
    out = pascal({k: v for k, v in query.items() if k != "metric"})
    metric = query.get("metric")
    if metric is not None:
        out["MetricStat"] = compact(
            {
                "Metric": compact(
                    {
                        "Namespace": metric.get("namespace"),
                        "MetricName": metric.get("metricName"),
                        "Dimensions": dimension_list(metric.get("dimensions")),
                    }
                ),
                "Period": metric.get("period"),
                "Stat": metric.get("stat"),
                "Unit": metric.get("unit"),
            }
        )
    return out


def dashboard(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "DashboardName": inputs["dashboardName"],
        "DashboardBody": inputs["dashboardBody"],
    }
    return [("cloudwatch", "PutDashboard", request)]


def log_group(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    name = name_of(r)
    requests: list[Request] = [
        ("logs", "CreateLogGroup", compact({"logGroupName": name, "tags": inputs.get("tags") or None}))
    ]
    if inputs.get("retentionInDays") is not None:
        retention = {"logGroupName": name, "retentionInDays": inputs["retentionInDays"]}
        requests.append(("logs", "PutRetentionPolicy", retention))
    return requests


def log_metric_filter(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    transformation = inputs["metricTransformation"]
    request = {
        "logGroupName": inputs["logGroupName"],
        "filterName": name_of(r),
        "filterPattern": inputs["pattern"],
        "metricTransformations": [
            compact(
                {
                    "metricName": transformation["name"],
                    "metricNamespace": transformation["namespace"],
                    "metricValue": transformation["value"],
                    "defaultValue": transformation.get("defaultValue"),
                    "dimensions": transformation.get("dimensions"),
                    "unit": transformation.get("unit"),
                }
            )
        ],
    }
    return [("logs", "PutMetricFilter", request)]


def sns_topic(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    attributes = {"KmsMasterKeyId": inputs["kmsMasterKeyId"]} if inputs.get("kmsMasterKeyId") else None
    request = {
        "Name": name_of(r),
        "Attributes": attributes,
        "Tags": tag_list(inputs.get("tags")),
    }
    return [("sns", "CreateTopic", compact(request))]


def bucket_policy(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    return [
        (
            "s3",
            "PutBucketPolicy",
            {"Bucket": inputs["bucket"], "Policy": inputs["policy"]},
        )
    ]


def bucket_lifecycle(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    rules = pascal(inputs["rules"], {"id": "ID"})
    request = {"Bucket": inputs["bucket"], "LifecycleConfiguration": {"Rules": rules}}
    return [("s3", "PutBucketLifecycleConfiguration", request)]


def iam_role(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "RoleName": name_of(r),
        "AssumeRolePolicyDocument": inputs["assumeRolePolicy"],
        "Description": inputs.get("description"),
        "Tags": tag_list(inputs.get("tags")),
    }
    return [("iam", "CreateRole", compact(request))]


def iam_role_policy(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "RoleName": inputs["role"],
        "PolicyName": name_of(r),
        "PolicyDocument": inputs["policy"],
    }
    return [("iam", "PutRolePolicy", request)]


def iam_policy(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "PolicyName": name_of(r),
        "Description": inputs.get("description"),
        "PolicyDocument": inputs["policy"],
        "Tags": tag_list(inputs.get("tags")),
    }
    return [("iam", "CreatePolicy", compact(request))]


def ecr_repository(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "repositoryName": name_of(r),
        "imageTagMutability": inputs.get("imageTagMutability"),
        "imageScanningConfiguration": inputs.get("imageScanningConfiguration"),
        "tags": tag_list(inputs.get("tags")),
    }
    return [("ecr", "CreateRepository", compact(request))]


def lambda_function(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "FunctionName": name_of(r),
        "Runtime": inputs.get("runtime"),
        "Role": inputs["role"],
        "Handler": inputs.get("handler"),
        # The provider uploads the archive it builds; its bytes are not part of the request's shape.
        "Code": {"ZipFile": b"PK"},
        "Description": inputs.get("description"),
        "Timeout": inputs.get("timeout"),
        "MemorySize": inputs.get("memorySize"),
        # Variable names are the user's, not API members: kept as written.
        "Environment": {"Variables": inputs["environment"]["variables"]}
        if inputs.get("environment")
        else None,
        "DeadLetterConfig": pascal(inputs.get("deadLetterConfig")),
        "Architectures": inputs.get("architectures"),
        "LoggingConfig": pascal(inputs.get("loggingConfig")),
        "Tags": inputs.get("tags") or None,
    }
    return [("lambda", "CreateFunction", compact(request))]


def lambda_permission(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    request = {
        "FunctionName": inputs["function"],
        "StatementId": inputs.get("statementId") or r["name"] + AUTONAME_SUFFIX,
        "Action": inputs["action"],
        "Principal": inputs["principal"],
        "SourceArn": inputs.get("sourceArn"),
        "SourceAccount": inputs.get("sourceAccount"),
    }
    return [("lambda", "AddPermission", compact(request))]


def string_attributes(inputs: dict[str, Any], names: dict[str, str]) -> dict[str, str] | None:
    """The set inputs as the API's attribute map (SQS and SNS take strings only); None if none is set."""
    attributes = {
        attribute: str(inputs[key]).lower() if isinstance(inputs[key], bool) else str(inputs[key])
        for key, attribute in names.items()
        if inputs.get(key) is not None
    }
    return attributes or None


def sqs_queue(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    names = {
        "messageRetentionSeconds": "MessageRetentionPeriod",
        "kmsMasterKeyId": "KmsMasterKeyId",
        "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    }
    request = {
        "QueueName": name_of(r),
        "Attributes": string_attributes(inputs, names),
        "tags": inputs.get("tags") or None,
    }
    return [("sqs", "CreateQueue", compact(request))]


def sns_subscription(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]
    names = {
        "filterPolicy": "FilterPolicy",
        "filterPolicyScope": "FilterPolicyScope",
        "redrivePolicy": "RedrivePolicy",
    }
    request = {
        "TopicArn": inputs["topic"],
        "Protocol": inputs["protocol"],
        "Endpoint": inputs.get("endpoint"),
        "Attributes": string_attributes(inputs, names),
    }
    return [("sns", "Subscribe", compact(request))]


def bucket_notification(r: dict[str, Any]) -> list[Request]:
    inputs = r["inputs"]

    def configuration(entry: dict[str, Any]) -> dict[str, Any]:
        rules = [
            {"Name": name, "Value": entry[key]}
            for key, name in (("filterPrefix", "prefix"), ("filterSuffix", "suffix"))
            if entry.get(key)
        ]
        return compact(
            {
                "LambdaFunctionArn": entry["lambdaFunctionArn"],
                "Events": entry["events"],
                "Filter": {"Key": {"FilterRules": rules}} if rules else None,
            }
        )

    functions = [configuration(entry) for entry in inputs.get("lambdaFunctions") or []]
    request = {
        "Bucket": inputs["bucket"],
        "NotificationConfiguration": compact({"LambdaFunctionConfigurations": functions or None}),
    }
    return [("s3", "PutBucketNotificationConfiguration", request)]


MAPPINGS: dict[str, Callable[[dict[str, Any]], list[Request]]] = {
    "aws:sagemaker/model:Model": sagemaker_model,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": sagemaker_endpoint_config,
    "aws:sagemaker/endpoint:Endpoint": sagemaker_endpoint,
    "aws:appautoscaling/target:Target": scalable_target,
    "aws:appautoscaling/policy:Policy": scaling_policy,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": log_metric_filter,
    "aws:sns/topic:Topic": sns_topic,
    "aws:s3/bucketPolicy:BucketPolicy": bucket_policy,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucket_lifecycle,
    "aws:iam/role:Role": iam_role,
    "aws:iam/rolePolicy:RolePolicy": iam_role_policy,
    "aws:iam/policy:Policy": iam_policy,
    "aws:ecr/repository:Repository": ecr_repository,
    "aws:lambda/function:Function": lambda_function,
    "aws:lambda/permission:Permission": lambda_permission,
    "aws:sqs/queue:Queue": sqs_queue,
    "aws:sns/topicSubscription:TopicSubscription": sns_subscription,
    "aws:s3/bucketNotification:BucketNotification": bucket_notification,
}

# botocore's patterns are Java regular expressions. The `regex` module reads their Unicode classes
# (\p{L}, \p{Print}, ...); Java's UTF-16 surrogate-pair range for the supplementary planes needs writing
# as code points.
SURROGATE_RANGE = "\\uD800\\uDC00-\\uDBFF\\uDFFF"

# One session for every request: a new session parses each service model again (seconds per program).
SESSION = botocore.session.get_session()


@functools.cache
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern.replace(SURROGATE_RANGE, "\\U00010000-\\U0010FFFF"))


def check_shape(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    """What botocore's ParamValidator leaves out: enums, patterns, maximums (it reports unknown members)."""
    meta = shape.metadata
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                check_shape(shape.members[key], item, f"{path}.{key}", problems)
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} items, at most {meta['max']}")
        for i, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{i}]", problems)
    elif shape.type_name == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} entries, at most {meta['max']}")
        for key, item in value.items():
            check_shape(shape.key, key, f"{path} key {key!r}", problems)
            check_shape(shape.value, item, f"{path}[{key!r}]", problems)
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.name}'s {len(shape.enum)} values")
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} characters, at most {meta['max']} ({shape.name})")
        if "pattern" in meta and not compile_pattern(meta["pattern"]).fullmatch(value):
            problems.append(f"{path}: {value!r} does not match {shape.name}'s pattern {meta['pattern']}")
    elif shape.type_name in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "max" in meta and value > meta["max"]:
            problems.append(f"{path}: {value} is above {shape.name}'s maximum {meta['max']}")
        allowed = documented_values(shape)
        if allowed and value not in allowed:
            problems.append(f"{path}: {value} is not one of the values {shape.name}'s documentation allows")


POSSIBLE_VALUES = regex.compile(r"Possible values are:? ((?:\d+, )+(?:and )?\d+)")


def documented_values(shape: Shape) -> set[int]:
    """Numbers a shape's documentation in the model lists as its only values ("Possible values are: 1, 3,
    and 5"), e.g. CloudWatch Logs' retention days; empty when it lists none."""
    match = POSSIBLE_VALUES.search(shape.documentation or "")
    return {int(n) for n in regex.findall(r"\d+", match.group(1))} if match else set()


# PutMetricAlarm's API reference: with Metrics, none of the single-metric members, and exactly one query
# returning data (the one the alarm watches). The JSON model cannot express either rule.
SINGLE_METRIC_MEMBERS = ("MetricName", "Namespace", "Dimensions", "Period", "Statistic", "ExtendedStatistic")


def documented_rules(operation: str, params: dict[str, Any]) -> list[str]:
    """Rules the API reference states beyond the model's shapes."""
    if operation != "PutMetricAlarm" or "Metrics" not in params:
        return []
    problems = [f"Metrics excludes {m}" for m in SINGLE_METRIC_MEMBERS if m in params]
    returning = [q.get("Id") for q in params["Metrics"] if q.get("ReturnData", True)]
    if len(returning) != 1:
        problems.append(f"exactly one of Metrics must have ReturnData true, got {returning}")
    return problems


@functools.cache
def operation_model(service: str, operation: str) -> OperationModel:
    """The operation's model, parsed once per process (the requests reuse a handful of large models)."""
    return SESSION.get_service_model(service).operation_model(operation)


def check_request(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    model = operation_model(service, operation)
    problems = documented_rules(operation, params)
    report = ParamValidator().validate(params, model.input_shape)
    if report.has_errors():
        problems.extend(line.strip() for line in report.generate_report().splitlines() if line.strip())
    check_shape(model.input_shape, params, operation, problems)
    return problems


def check(records: list[dict[str, Any]]) -> dict[str, Any]:
    requests, violations = [], []
    for record in records:
        mapping = MAPPINGS.get(record["type"])
        if mapping is None:
            continue
        for service, operation, params in mapping(record):
            requests.append({"resource": record["name"], "operation": f"{service}:{operation}"})
            violations += [
                f"{record['name']} ({operation}): {p}" for p in check_request(service, operation, params)
            ]
    return {"requests": requests, "violations": violations}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: aws_requests.py <resources.json>", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        records = json.load(f)
    print(json.dumps(check(records), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
