/**
 * The default of the instance price the cost figures use (the dashboard's $ per audio hour, `npm run cost`): the
 * us-east-1 on-demand list price of the instance type, but only in us-east-1. SageMaker prices differ by region
 * (ap-northeast-1 and eu-west-1 charge more than us-east-1 for the same GPU), and no per-region table could be read
 * from AWS's own pages here, so outside us-east-1 `instancePricePerHour` must be set: a silently wrong figure would
 * be worse than a message.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config-error";

/** The region whose on-demand prices {@link ON_DEMAND_PRICE_PER_HOUR_US_EAST_1} lists. */
export const PRICE_TABLE_REGION = "us-east-1";

/**
 * On-demand SageMaker real-time/async inference prices, US East (N. Virginia), USD per instance-hour: the
 * default of `instancePricePerHour` in us-east-1. Source: the "Real-Time Inference" on-demand table of
 * https://aws.amazon.com/sagemaker/ai/pricing/, as quoted alike by several independent public price tables read
 * on 2026-11-25 (the AWS page itself renders its table by script and could not be read directly). Only types
 * whose figure every source agreed on are listed; for any other type (g6, g6e, p4d, p5 and other sizes) the
 * sources disagreed or were EC2 prices, so `instancePricePerHour` must be set rather than guessed. Other regions,
 * discounts and Savings Plans: set `instancePricePerHour` too.
 */
export const ON_DEMAND_PRICE_PER_HOUR_US_EAST_1: Readonly<Record<string, number>> = {
  "ml.g4dn.xlarge": 0.7364,
  "ml.g5.xlarge": 1.408,
  "ml.p3.2xlarge": 3.825,
};

/**
 * The region the stack's default aws provider deploys to: `aws:region`, else the environment variables the provider
 * falls back to (AWS_REGION, AWS_DEFAULT_REGION); undefined when none says (the provider may still find one in a
 * profile, which the program cannot see).
 */
export function defaultProviderRegion(): string | undefined {
  return new pulumi.Config("aws").get("region") ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

/**
 * The price of `type` when `instancePricePerHour` (named `setting` in messages) is unset: the list price in
 * us-east-1; anywhere else, or in an unknown region, a ConfigError that names the setting, the type and the region.
 */
export function defaultInstancePrice(type: string, region: string | undefined, setting: string): number {
  const pricing = "the on-demand price of https://aws.amazon.com/sagemaker/ai/pricing/ for the region, or yours";
  if (region === undefined || region === "") {
    throw new ConfigError(
      `${setting} must be set when aws:region is not: the default prices are ${PRICE_TABLE_REGION}'s and the ` +
        `stack's region is unknown (set aws:region, or the price: ${pricing})`,
    );
  }
  if (region !== PRICE_TABLE_REGION) {
    throw new ConfigError(
      `${setting} must be set for ${type} in ${region}: the default prices are ${PRICE_TABLE_REGION} on-demand ` +
        `prices and SageMaker's differ by region (set ${pricing})`,
    );
  }
  const known = ON_DEMAND_PRICE_PER_HOUR_US_EAST_1[type];
  if (known === undefined) {
    throw new ConfigError(
      `${setting} must be set for ${type}: no default price is known for it ` +
        `(defaults exist for ${Object.keys(ON_DEMAND_PRICE_PER_HOUR_US_EAST_1).join(", ")} in ${PRICE_TABLE_REGION})`,
    );
  }
  return known;
}
