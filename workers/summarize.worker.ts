import {
  runSummarizeTask,
  type SummarizeReply,
  type SummarizeTask,
} from '../src/compress/summarize-task.js';

/** piscina handler: compresses a conversation off the main thread (see `runSummarizeTask`). */
export default function summarize(task: SummarizeTask): SummarizeReply {
  return runSummarizeTask(task);
}
