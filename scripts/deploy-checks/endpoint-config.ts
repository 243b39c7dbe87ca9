/**
 * endpoint-config: after `pulumi up` created or updated the endpoint, checks that SageMaker really runs the new
 * EndpointConfig. The provider's waiter returns once the endpoint is InService, and SageMaker also ends a
 * rolled-back update InService, on the OLD config, with a FailureReason: without this check that up would pass
 * (and the next one would change nothing). Fails the up with SageMaker's own reason. See docs/updates.md.
 *
 *   node_modules/.bin/tsx scripts/deploy-checks/endpoint-config.ts --endpoint NAME --config NAME
 */
import {
  DescribeEndpointCommand,
  SageMakerClient,
  type DescribeEndpointCommandOutput,
} from "@aws-sdk/client-sagemaker";
import { CheckFailed, runCheck } from "./cli";

/** Statuses from which SageMaker goes on by itself; the check waits them out. */
const IN_PROGRESS = new Set(["Creating", "Updating", "SystemUpdating", "RollingBack"]);

export type EndpointState = Pick<
  DescribeEndpointCommandOutput,
  "EndpointStatus" | "EndpointConfigName" | "FailureReason"
>;

/**
 * The verdict on a settled endpoint: undefined when it is InService on `expectedConfig`, else what went wrong. A
 * FailureReason on an endpoint that runs the expected config is that config's own failure only if the endpoint is
 * not InService; InService on the expected config means the update went through.
 */
export function endpointProblem(
  state: EndpointState,
  endpointName: string,
  expectedConfig: string,
): string | undefined {
  const reason = state.FailureReason ? ` SageMaker says: ${state.FailureReason}` : "";
  if (state.EndpointStatus !== "InService") {
    return `endpoint ${endpointName} is ${state.EndpointStatus ?? "in no status"}, not InService.${reason}`;
  }
  if (state.EndpointConfigName !== expectedConfig) {
    return (
      `endpoint ${endpointName} still runs EndpointConfig ${state.EndpointConfigName}, not ${expectedConfig}: ` +
      `SageMaker rolled the update back.${reason || " (no FailureReason given)"} The old Model and EndpointConfig are ` +
      "kept (retainOnDelete), so the endpoint goes on serving; fix the cause, then `pulumi refresh` and `pulumi up`"
    );
  }
  return undefined;
}

export interface WaitSettings {
  /** Overall wait for an update still in progress, in ms. */
  readonly timeoutMs: number;
  /** Pause between DescribeEndpoint calls, in ms. Defaults to 15000. */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Describes the endpoint until it leaves the in-progress statuses (or `timeoutMs` passes), then returns the verdict
 * line or throws CheckFailed with the problem.
 */
export async function checkEndpointConfig(
  describe: () => Promise<EndpointState>,
  endpointName: string,
  expectedConfig: string,
  wait: WaitSettings,
): Promise<string> {
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = wait.pollMs ?? 15_000;
  let waited = 0;
  let state = await describe();
  while (IN_PROGRESS.has(state.EndpointStatus ?? "") && waited < wait.timeoutMs) {
    await sleep(pollMs);
    waited += pollMs;
    state = await describe();
  }
  const problem = endpointProblem(state, endpointName, expectedConfig);
  if (problem !== undefined) throw new CheckFailed(problem);
  return `endpoint ${endpointName} is InService on ${expectedConfig}`;
}

if (require.main === module) {
  void runCheck(
    "Usage: tsx scripts/deploy-checks/endpoint-config.ts --endpoint NAME --config NAME [--timeout-minutes 30]",
    ["endpoint", "config"],
    ["timeout-minutes"],
    (o) => {
      const minutes = Number(o["timeout-minutes"] ?? "30");
      if (!Number.isFinite(minutes) || minutes < 0) throw new CheckFailed("--timeout-minutes must be a number >= 0");
      const client = new SageMakerClient({});
      return checkEndpointConfig(
        () => client.send(new DescribeEndpointCommand({ EndpointName: o.endpoint })),
        o.endpoint,
        o.config,
        { timeoutMs: minutes * 60_000 },
      );
    },
  );
}
