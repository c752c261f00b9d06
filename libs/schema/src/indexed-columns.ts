/** Kamailio's indexes on sip_capture: what the writer creates and what a search can use. */
export const INDEXED_COLUMNS = ['date', 'callid', 'callid_aleg', 'ruri_user', 'from_user', 'to_user', 'pid_user', 'auth_user'] as const;

/** Kamailio's indexes on rtcp_capture, report_capture and logs_capture. */
export const REPORT_INDEXED_COLUMNS = ['date', 'correlation_id'] as const;
