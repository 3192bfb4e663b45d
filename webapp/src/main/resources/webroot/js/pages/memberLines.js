// Reads pasted "server,database" lines (or a CSV file's text) into SqlDatabase members, and says what is wrong
// with each line that cannot be one, before anything is added. Pure: no DOM, no API.

const CONTROL = /[\u0000-\u001f\u007f]/;
const MEMBERSHIP = new Set(['Include', 'Exclude']);

/** Splits one CSV line on commas, honouring "quoted, fields" and "" inside quotes. */
export function csvFields(line) {
  const fields = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { current += '"'; i += 1; } else if (c === '"') quoted = false; else current += c;
    } else if (c === '"' && !current.trim()) {
      quoted = true;
      current = '';
    } else if (c === ',') {
      fields.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  fields.push(current.trim());
  return fields;
}

/**
 * parseMemberLines(text, {existing, membershipType, engine}) ->
 *   {members: [{type, serverName, databaseName, membershipType, engine, ...}], errors: [{line, message, text}]}
 * Lines are numbered from 1 as the text has them; blank lines, # comments and a server,database header are skipped.
 */
export function parseMemberLines(text, { existing = [], membershipType = 'Include', engine = 'postgresql' } = {}) {
  const identity = (server, database) => `${String(server).toLowerCase()}\u0000${database}`;
  const taken = new Map();
  for (const m of existing) {
    if (m.type === 'SqlDatabase' && m.serverName && m.databaseName) taken.set(identity(m.serverName, m.databaseName), 0);
  }
  const members = [];
  const errors = [];
  const lines = String(text || '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const fields = csvFields(trimmed);
    if (index === 0 || members.length + errors.length === 0) {
      if (fields[0]?.toLowerCase() === 'server' || fields[0]?.toLowerCase() === 'servername') return;
    }
    const fail = (message) => errors.push({ line, message, text: trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed });
    if (fields.length < 2 || fields.length > 3) {
      fail(`expected server,database (and optionally Include or Exclude), found ${fields.length} field${fields.length === 1 ? '' : 's'}.`);
      return;
    }
    const [server, database, membership] = fields;
    if (!server) { fail('the server name is empty.'); return; }
    if (!database) { fail('the database name is empty.'); return; }
    if (server.length > 256) { fail('the server name is longer than 256 characters.'); return; }
    if (database.length > 128) { fail('the database name is longer than 128 characters.'); return; }
    if (CONTROL.test(server) || CONTROL.test(database)) { fail('a name holds a control character.'); return; }
    if (membership && !MEMBERSHIP.has(membership)) { fail(`the third field must be Include or Exclude, not “${membership}”.`); return; }
    const key = identity(server, database);
    if (taken.has(key)) {
      fail(taken.get(key) === 0 ? 'this database is already a member.' : `this database is already on line ${taken.get(key)}.`);
      return;
    }
    taken.set(key, line);
    members.push({ type: 'SqlDatabase', serverName: server, databaseName: database, membershipType: membership || membershipType,
      engine, elasticPoolName: '', refreshCredential: '', trustServerCertificate: false });
  });
  return { members, errors };
}
