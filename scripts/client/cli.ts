/** options.ts reads its flags through this name; the parser itself is the toolkit's (scripts/cli-kit/args.ts). */
export {
  booleanOption,
  choiceOption,
  numberOption,
  stringOption,
  type CliOptions,
  type CliValues,
} from "../cli-kit/args";
