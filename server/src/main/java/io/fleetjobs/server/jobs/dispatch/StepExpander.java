package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.common.errors.FleetJobsException;
import io.fleetjobs.server.targetgroups.TargetGroup;
import io.fleetjobs.server.targetgroups.TargetGroupMember;
import io.fleetjobs.server.targetgroups.TargetGroupRepository;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.fleetjobs.server.targets.TargetDrivers;
import io.fleetjobs.server.targets.TargetSets;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * Expands a target group into databases, as it is at this moment: servers are enumerated with their
 * refresh credential, so databases created or dropped since the last run are picked up.
 */
public final class StepExpander {
  private final TargetGroupRepository groups;
  private final CredentialRepository credentials;
  private final TargetDrivers drivers;

  public StepExpander(TargetGroupRepository groups, CredentialRepository credentials, TargetDrivers drivers) {
    this.groups = groups;
    this.credentials = credentials;
    this.drivers = drivers;
  }

  public Future<List<ResolvedTarget>> expand(UUID targetGroupId) {
    return groups.byId(targetGroupId).compose(this::expand);
  }

  /**
   * Fails with {@link io.fleetjobs.common.errors.TargetUnreachable}, carrying the server's own error, when
   * an included server cannot be enumerated; with NotFound when the group or a credential is gone.
   */
  public Future<List<ResolvedTarget>> expand(TargetGroup group) {
    List<Future<List<ResolvedTarget>>> includes = group.members().stream()
      .filter(TargetGroupMember::isInclude)
      .map(this::databasesOf)
      .toList();
    List<TargetSets.Exclusion> exclusions = group.members().stream()
      .filter(member -> !member.isInclude())
      .map(m -> new TargetSets.Exclusion(m.type(), m.engine(), m.serverName(), m.databaseName(), m.elasticPoolName()))
      .toList();
    return Future.all(includes).map(all -> TargetSets.resolve(
      includes.stream().flatMap(found -> found.result().stream()).toList(), exclusions));
  }

  private Future<List<ResolvedTarget>> databasesOf(TargetGroupMember member) {
    if (member.type().equals("SqlDatabase")) {
      return Future.succeededFuture(List.of(target(member, member.databaseName())));
    }
    try {
      var driver = drivers.forEngine(member.engine());
      // With the agent's identity (or no refresh credential to read) the driver decides how to log in.
      Future<Login> login = driver.usesStoredCredentials() && member.refreshCredentialId() != null
        ? credentials.login(member.refreshCredentialId())
        : Future.succeededFuture(null);
      return login
        .compose(refresh -> member.type().equals("SqlElasticPool")
          ? driver.listPoolDatabases(member.serverName(), member.elasticPoolName(), refresh,
              member.trustServerCertificate())
          : driver.listDatabases(member.serverName(), refresh, member.trustServerCertificate()))
        .map(names -> names.stream().map(name -> target(member, name)).toList());
    } catch (FleetJobsException e) {
      return Future.failedFuture(e);
    }
  }

  /** How the targets of an engine authenticate on this agent, as the API shows it. */
  public String authentication(String engine) {
    return drivers.forEngine(engine).authentication();
  }

  private static ResolvedTarget target(TargetGroupMember member, String database) {
    String group = member.elasticPoolName() != null ? member.elasticPoolName() : member.serverName();
    return new ResolvedTarget(member.type(), member.targetId(), member.engine(), member.serverName(), database, group,
      member.trustServerCertificate());
  }
}
