-- Reading a fleet's failures: what makes two targets' failures "the same cause". Read-only helpers of the
-- execution page's failure groups and of its target list's failureGroup filter, so both group alike.

-- Puts a placeholder in place of every whole occurrence of a name: not inside a longer word, so a database
-- named "a" leaves "database" alone. A missing name (a member's own row has no database) replaces nothing.
CREATE OR REPLACE FUNCTION jobs_internal.replace_name(p_text text, p_name text, p_placeholder text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN coalesce(p_name, '') = '' THEN p_text
    ELSE regexp_replace(p_text,
           '(?<![[:alnum:]_])' || regexp_replace(p_name, '([^[:alnum:]_])', '\\\1', 'g') || '(?![[:alnum:]_])',
           p_placeholder, 'g') END
$$;

-- Puts <server> and <database> in place of a target's names. The longer name goes first, so a database named
-- after its server does not lose only part of its name.
CREATE OR REPLACE FUNCTION jobs_internal.replace_names(p_text text, p_server_name text, p_database_name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN length(coalesce(p_database_name, '')) >= length(coalesce(p_server_name, ''))
    THEN jobs_internal.replace_name(jobs_internal.replace_name(p_text, p_database_name, '<database>'), p_server_name,
                                    '<server>')
    ELSE jobs_internal.replace_name(jobs_internal.replace_name(p_text, p_server_name, '<server>'), p_database_name,
                                    '<database>') END
$$;

-- A failure's cause, as a DBA would group it: the first line of its message, with what differs from target to
-- target taken out. The database and server names become <database> and <server>, standalone numbers (attempt,
-- step, statement, line and position numbers, key values, seconds) become #, and the executor's "Attempt # of
-- step # failed on target (...)" preamble goes, so the same error on 2,000 databases reads as one cause. A number
-- inside a word stays (42P01, orders_2023): it names the same thing everywhere. NULL messages are ''.
CREATE OR REPLACE FUNCTION jobs_internal.failure_cause(p_message text, p_server_name text, p_database_name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- One expression, so that PostgreSQL inlines it into the queries over thousands of targets.
  SELECT regexp_replace(
           regexp_replace(
             regexp_replace(
               jobs_internal.replace_names(split_part(coalesce(p_message, ''), E'\n', 1), p_server_name,
                                           p_database_name),
               '(?<![[:alnum:]_])[0-9]+(?![[:alnum:]_])', '#', 'g'),
             '^Attempt # of step # failed on target \(server ''<server>'', database ''<database>''\): ', ''),
           ' on target \(server ''<server>'', database ''<database>''\)', '')
$$;

-- The id of a failure group: the lifecycle (Failed or TimedOut), the SQLSTATE or SQL Server error number, and
-- the cause (failure_cause). Stable for as long as the messages are, so a page can ask for one group's targets by it.
CREATE OR REPLACE FUNCTION jobs_internal.failure_group(p_lifecycle text, p_error_code text, p_cause text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(md5(p_lifecycle || '|' || coalesce(p_error_code, '') || '|' || p_cause), 16)
$$;
