// Maps API errors to translated messages: returns {key, params} for
// i18n.translate(), so a message shown on screen follows a language switch.

import { ApiError } from './api.js';

// Codes with a message of their own (the chat and routing API).
const OWN_MESSAGE = new Set([
  'offer_not_found',
  'contact_not_found',
  'contact_not_active',
  'queue_closed',
  'queue_full',
  'unknown_queue',
  'channel_not_served',
  'message_too_long',
  'empty_message',
  'chat_closed',
  'invalid_state',
]);

const INPUT_ERRORS = new Set([
  'missing_field',
  'invalid_field',
  'malformed_json',
  'invalid_body',
  'unsupported_media_type',
]);

export function errorMessage(error) {
  if (!(error instanceof ApiError)) return { key: 'error.unknown' };
  if (error.status === 0) return { key: 'error.network' };
  switch (error.code) {
    case 'invalid_credentials':
    case 'unauthenticated':
    case 'csrf_token_invalid':
    case 'forbidden':
    case 'not_found':
      return { key: `error.${error.code}` };
    case 'rate_limited':
      return error.retryAfter > 0
        ? { key: 'error.rate_limited', params: { wait: { seconds: error.retryAfter } } }
        : { key: 'error.rate_limited_later' };
    case 'overloaded':
    case 'not_ready':
      return { key: 'error.unavailable' };
    default:
      if (OWN_MESSAGE.has(error.code)) return { key: `error.${error.code}` };
      if (INPUT_ERRORS.has(error.code)) return { key: 'error.invalid_input' };
      if (error.status === 401) return { key: 'error.unauthenticated' };
      if (error.status === 403) return { key: 'error.forbidden' };
      if (error.status === 429) return { key: 'error.rate_limited_later' };
      if (error.status === 502 || error.status === 503 || error.status === 504) return { key: 'error.unavailable' };
      return { key: 'error.unknown' };
  }
}
