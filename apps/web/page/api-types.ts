/** The JSON the API returns (see apps/web/README.md): the search lib's result types, erased at build. */
import type { CallMessage as StoredMessage, CallResult as StoredCall, SearchResult as StoredSearch } from '@sipcap/search';

export type { SearchRow, CallReport, CallReportsResult, CallsResult, CallSummary } from '@sipcap/search';

/** In JSON the message bytes travel as base64. */
export type CallMessage = Omit<StoredMessage, 'msg'> & { msg: string };
export type CallResult = Omit<StoredCall, 'messages'> & { messages: CallMessage[]; names?: AddressNames };

/** Names of addresses (STATS_PEERS), by IP: only the named ones. */
export type AddressNames = Record<string, string>;
export type SearchResult = StoredSearch & { names?: AddressNames };
