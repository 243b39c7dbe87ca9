/** The drop folder's row of the stack's dashboard: its functions' invocations and errors, and its dead letters. */
export interface DropFolderWidgetArgs {
  readonly submitFunctionName: string;
  readonly deliverFunctionName: string;
  readonly deadLetterQueueName: string;
  readonly region: string;
  /** Top edge of the row in dashboard grid units. */
  readonly y: number;
}

export function dropFolderWidgets(a: DropFolderWidgetArgs): object[] {
  const lambda = (metric: string, functionName: string, label: string) => [
    "AWS/Lambda",
    metric,
    "FunctionName",
    functionName,
    { label },
  ];
  return [
    {
      type: "metric",
      x: 0,
      y: a.y,
      width: 12,
      height: 6,
      properties: {
        title: "Drop folder: recordings submitted and results delivered",
        metrics: [
          lambda("Invocations", a.submitFunctionName, "submit invocations"),
          lambda("Errors", a.submitFunctionName, "submit errors"),
          lambda("Invocations", a.deliverFunctionName, "deliver invocations"),
          lambda("Errors", a.deliverFunctionName, "deliver errors"),
        ],
        region: a.region,
        stat: "Sum",
        period: 300,
      },
    },
    {
      type: "metric",
      x: 12,
      y: a.y,
      width: 12,
      height: 6,
      properties: {
        title: "Drop folder: events in the dead-letter queue",
        metrics: [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", a.deadLetterQueueName]],
        region: a.region,
        stat: "Maximum",
        period: 300,
      },
    },
  ];
}
