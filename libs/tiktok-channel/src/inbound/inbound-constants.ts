/** The note on events kept for a business that is not connected yet (matched to wake them). */
export const WAITING_FOR_CONNECT = 'waiting for the business to connect';
