// ui/static/js/json.js — JSON.parse that keeps event sequences exact. A sequence is a 64-bit
// unsigned integer, and the collector's own events (agent_down, agent_up) have its top bit set:
// 9223372036854775809 parses as the double 9223372036854775808, and a link built from it names
// another event (404). Every value of a key ending in "sequence" that is an integer beyond
// Number.MAX_SAFE_INTEGER is kept as its digits (a string); every other value parses as usual.

const BIG_KEY = /sequence$/;

// The text with those integers quoted. A scan that knows strings (escapes included), so that
// digits inside an agent's text are never touched.
export function quoteBigSequences(text) {
  let out = '';
  let copied = 0;
  let lastKey = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      lastKey = text[j] === ':' ? text.slice(start + 1, i) : null;
    } else if ((c === '-' || (c >= '0' && c <= '9')) && lastKey !== null) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j])) j++;
      const token = text.slice(i, j);
      if (BIG_KEY.test(lastKey) && /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(copied, i)}"${token}"`;
        copied = j;
      }
      i = j - 1;
      lastKey = null;
    } else if (c === ',' || c === '{' || c === '[') {
      lastKey = null;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export function parseJson(text) {
  return JSON.parse(quoteBigSequences(text));
}
