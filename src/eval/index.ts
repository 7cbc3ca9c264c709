export * from "./evaluate.js";
export { evalReportText } from "./format.js";
export * from "./metrics.js";
