// A canonical text rendering of a job version (the job and its steps), stable in field order so that
// a line diff between two versions shows only what changed.

function scalar(v) {
  return v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
}

function objectLines(obj, indent) {
  if (!obj || typeof obj !== 'object') return [`${indent}${scalar(obj)}`];
  return Object.keys(obj).sort().map((k) => `${indent}${k}: ${scalar(obj[k])}`);
}

export function canonicalJob(jobName, version, steps) {
  const lines = [`job: ${jobName}`, `version: ${version}`, `steps: ${steps.length}`];
  const sorted = [...steps].sort((a, b) => (a.stepId ?? 0) - (b.stepId ?? 0));
  for (const s of sorted) {
    lines.push('', `step ${s.stepId}: ${s.name}`);
    lines.push(`  targetGroup: ${scalar(s.targetGroup)}`);
    lines.push(`  credential: ${scalar(s.credential)}`);
    lines.push(`  maxParallelism: ${scalar(s.maxParallelism)}`);
    lines.push('  executionOptions:', ...objectLines(s.executionOptions || {}, '    '));
    lines.push(s.output ? '  output:' : '  output: (none)');
    if (s.output) lines.push(...objectLines(s.output, '    '));
    const action = s.action || {};
    lines.push(`  action (${action.type || 'TSql'}, ${action.source || 'Inline'}):`);
    for (const l of String(action.value ?? '').split(/\r?\n/)) lines.push(`    ${l}`);
  }
  return `${lines.join('\n')}\n`;
}
