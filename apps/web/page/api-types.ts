/** The JSON the API returns (see apps/web/README.md): the search lib's result types, erased at build. */
import type { CallMessage as StoredMessage, CallResult as StoredCall } from '@sipcap/search';

export type { SearchResult, SearchRow, CallReport, CallReportsResult, CallsResult, CallSummary } from '@sipcap/search';

/** In JSON the message bytes travel as base64. */
export type CallMessage = Omit<StoredMessage, 'msg'> & { msg: string };
export type CallResult = Omit<StoredCall, 'messages'> & { messages: CallMessage[] };
