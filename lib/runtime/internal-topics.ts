/**
 * The topics the service keeps for itself, named from the group id as Kafka Streams names its own from the
 * application id, so that two jobs on one cluster never share them.
 */
export interface InternalTopics {
  /**
   * Orders keyed by customer, with every input partition's marks: as many partitions as the input. What a
   * source task sends to the customer task of its own number goes across in memory, not through it.
   */
  readonly ordersByCustomer: string;
  /** Each customer task's share of the hourly sales, with its marks: one partition, read by one task. */
  readonly hourlyPartials: string;
}

export function internalTopics(groupId: string): InternalTopics {
  return {
    ordersByCustomer: `${groupId}-orders-by-customer-repartition`,
    hourlyPartials: `${groupId}-hourly-partials-repartition`,
  };
}

/**
 * Topic settings of both: records are deleted once every task has committed past them (purged after each
 * commit, as Kafka Streams does), never by age, so a task that was down a long time still finds its input.
 */
export const INTERNAL_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  // Orders keep their value whole: as large as an input record may be, with room for the headers.
  'max.message.bytes': String(2 * 1024 * 1024),
};

/** An internal topic as `/status` lists it. */
export interface InternalTopicReport {
  readonly topic: string;
  readonly partitions: number;
  readonly carries: string;
}

/** Both internal topics of a group whose input has `inputPartitions` partitions, for `/status`. */
export function internalTopicReports(groupId: string, inputPartitions: number): InternalTopicReport[] {
  const internal = internalTopics(groupId);
  return [
    { topic: internal.ordersByCustomer, partitions: inputPartitions, carries: "orders keyed by customer (those of another partition's customers: the rest go across in memory), and every input partition's marks" },
    { topic: internal.hourlyPartials, partitions: 1, carries: "each customer task's share of the hourly sales, and its watermark" },
  ];
}
