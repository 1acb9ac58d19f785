/**
 * Rules that tie settings together, checked once every setting involved has passed its own check. Each
 * names the settings that break it, so that the error line can say where each one came from.
 */
export interface CrossRule {
  readonly paths: readonly string[];
  /** The paths among `paths` whose values break the rule; empty when it holds. */
  readonly offenders: (value: (path: string) => unknown) => readonly string[];
  readonly expected: string;
}

const TOPICS = ['kafka.inputTopic', 'kafka.outputTopic', 'kafka.deadLetterTopic'];

export const CROSS_RULES: readonly CrossRule[] = [
  {
    // Results written to the input topic would be read back as orders (and dead letters, again and again);
    // Kafka refuses to create a topic whose name differs from another's only by '.' against '_'.
    paths: TOPICS,
    offenders: (value) => {
      const key = (path: string): string => (value(path) as string).replace(/\./g, '_');
      return TOPICS.filter((path) => TOPICS.some((other) => other !== path && key(other) === key(path)));
    },
    expected: "the input, output and dead-letter topics to be three different topics (Kafka takes '.' and '_' in topic names as the same)",
  },
];
