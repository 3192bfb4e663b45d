// What the signed-in role may do, from x-fleetjobs-role of each operation in openapi.yaml. A button the
// role may not use is not rendered at all (the API would answer 403 anyway).
import { session } from './api.js';

const RANK = { reader: 0, operator: 1, admin: 2 };

export const OPS = {
  // admin: definitions, secrets, tier, tokens, alerting configuration
  putJob: 'admin', deleteJob: 'admin', putJobStep: 'admin', deleteJobStep: 'admin',
  putCredential: 'admin', deleteCredential: 'admin', testCredential: 'admin', putTargetGroup: 'admin',
  deleteTargetGroup: 'admin',
  putAgent: 'admin', listTokens: 'admin', createToken: 'admin', revokeToken: 'admin',
  putAlertRule: 'admin', deleteAlertRule: 'admin', putActionGroup: 'admin', deleteActionGroup: 'admin',
  putExecutionNotification: 'admin', deleteExecutionNotification: 'admin',
  putAlertProcessingRule: 'admin', deleteAlertProcessingRule: 'admin', purgeJobExecutions: 'admin',
  // operator: running things and sending notifications
  startJob: 'operator', putJobExecution: 'operator', cancelJobExecution: 'operator',
  rerunFailedTargets: 'operator', resumeJobExecution: 'operator', abortJobExecution: 'operator',
  testActionGroup: 'operator', replayNotification: 'operator',
};

export function role() { return session.me?.role || 'reader'; }

/** May the signed-in token call this operationId? */
export function can(operationId) {
  const needed = OPS[operationId] || 'reader';
  return (RANK[role()] ?? -1) >= RANK[needed];
}
