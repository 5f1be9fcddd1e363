// Fixed vocabularies the console shows by name: topic ids (contract §6a,
// used as close dispositions), the department queues a chat can be
// transferred to, channels, residents' languages, break reasons and agent
// states. Names live in i18n.js under the keys returned here; an id the
// console does not know is shown as it is.

import { has } from './i18n.js';

// Dispositions a consultant may close with (every topic but `human`).
export const DISPOSITIONS = Object.freeze([
  'vehicles',
  'driving_licence',
  'id_documents',
  'civil_registry',
  'waste',
  'taxes',
  'report',
  'appointment',
  'other',
]);

export const BREAK_REASONS = Object.freeze(['coffee', 'meal', 'training', 'meeting', 'other']);

function keyOr(prefix, id) {
  const key = `${prefix}.${id}`;
  return id && has(key) ? key : null;
}

export const topicKey = (id) => keyOr('topic', id);
export const queueKey = (id) => keyOr('queue', id);
export const channelKey = (id) => keyOr('channel', id);
export const langKey = (id) => keyOr('residentLang', id);
export const reasonKey = (id) => keyOr('reason', id);
export const stateKey = (id) => keyOr('state', id);

// The disposition to preselect for a contact's topic.
export function defaultDisposition(topic) {
  return DISPOSITIONS.includes(topic) ? topic : 'other';
}
