// One line of a message log (JSONL), for a system that is its own network (the maelstrom system's router):
// what happened to which message, when. The system writes it; results/ reads it for the run's network figures
// and the report's message diagram. Plain data, as the nemesis events of checkers/nemesisEvents.ts.

/** One event of a message's life; `time` is ms since the epoch; a send and its deliveries (or drop) share `id`. */
export interface MessageLogEvent {
  event: 'send' | 'deliver' | 'drop';
  /** The router's number of the send; -1 for what bypassed the network (init, init_ok). */
  id: number;
  time: number;
  src: string;
  dest: string;
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  /** drop: lost, partitioned or unreachable (no such endpoint, or a killed node). */
  reason?: string;
  /** deliver: 1 for a duplicate. */
  copy?: 1;
}
