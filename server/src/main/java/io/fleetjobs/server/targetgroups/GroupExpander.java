package io.fleetjobs.server.targetgroups;

import io.fleetjobs.common.errors.FleetJobsException;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.fleetjobs.server.targets.ServerKeys;
import io.fleetjobs.server.targets.TargetDrivers;
import io.fleetjobs.server.targets.TargetSets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Expands a target group into databases, as it is at this moment: servers are listed with their refresh
 * credential, so databases created or dropped since the last run are picked up. Each member is listed on its
 * own: one that cannot be listed (down, slow, its login refused) is reported beside the databases the others
 * brought in, and never holds them up for longer than the listing timeout.
 *
 * <p>A group may hold 10,000 members: sorting them out and combining what they brought in is CPU work of that
 * size, so it runs on a worker, never on the event loop that serves the API (it held one for 2.7 s).
 */
public final class GroupExpander {
  /** What the collaborators are, how long one member's listing may take, and the Vert.x whose workers combine. */
  public record Dependencies(TargetGroupRepository groups, CredentialRepository credentials, TargetDrivers drivers,
                             ServerKeys serverKeys, Duration listingTimeout, Vertx vertx) {
  }

  /** A member that could not be listed, and the failure that says why (and whether a retry may help). */
  public record MemberFailure(TargetGroupMember member, String serverKey, Throwable cause) {
    public String message() {
      return cause.getMessage();
    }
  }

  /**
   * The databases to run on; the members that could not be listed; server spellings merged into an earlier
   * one; and how many databases each listed member brought in (before exclusions and merges).
   */
  public record Expansion(List<ResolvedTarget> targets, List<MemberFailure> failures, List<TargetSets.Merge> merges,
                          Map<UUID, Integer> listed) {
  }

  private final Dependencies dependencies;

  public GroupExpander(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  public Future<Expansion> expand(UUID targetGroupId) {
    return dependencies.groups().byId(targetGroupId).compose(this::expand);
  }

  /** Fails only when the group itself is gone (NotFound); members that cannot be listed are in the result. */
  public Future<Expansion> expand(TargetGroup group) {
    return expand(group, member -> true);
  }

  /** Lists one include member again, with the group's exclusions applied, for a member row's retry. */
  public Future<Expansion> expandMember(UUID targetGroupId, UUID memberTargetId) {
    return dependencies.groups().byId(targetGroupId)
      .compose(group -> expand(group, member -> member.targetId().equals(memberTargetId)));
  }

  /** How a target authenticates on this agent, as the API shows it: its engine's way, or its member's. */
  public String authentication(ResolvedTarget target) {
    return dependencies.drivers().forEngine(target.engine()).authentication(target.connection());
  }

  /** The TLS mode a member's connections use: its own, or the agent's default for its engine. */
  public String sslMode(TargetGroupMember member) {
    return dependencies.drivers().forEngine(member.engine()).sslMode(member.connection());
  }

  /** The include members to expand, the ones among them that must be listed, and every server the group names. */
  private record Plan(List<TargetGroupMember> includes, List<TargetGroupMember> listings,
                      Set<ServerKeys.Server> servers) {
    static Plan of(TargetGroup group, Predicate<TargetGroupMember> listThis) {
      List<TargetGroupMember> includes = group.members().stream()
        .filter(TargetGroupMember::isInclude)
        .filter(listThis)
        .toList();
      Set<ServerKeys.Server> servers = new LinkedHashSet<>();
      group.members().forEach(member -> servers.add(server(member)));
      return new Plan(includes, includes.stream().filter(member -> !isDatabase(member)).toList(), servers);
    }
  }

  private Future<Expansion> expand(TargetGroup group, Predicate<TargetGroupMember> listThis) {
    Vertx vertx = dependencies.vertx();
    return vertx.executeBlocking(() -> Plan.of(group, listThis), false)
      .compose(plan -> dependencies.serverKeys().keys(plan.servers())
        .compose(keys -> {
          // Only servers and pools are listed; a database member is its own listing.
          Map<UUID, Future<List<String>>> listings = new LinkedHashMap<>();
          plan.listings().forEach(member -> listings.put(member.targetId(), databasesOf(member)));
          return Future.join(List.copyOf(listings.values())).otherwiseEmpty()
            .compose(joined -> vertx.executeBlocking(() -> combine(group, plan.includes(), listings, keys,
              this::sslMode), false));
        }));
  }

  private static Expansion combine(TargetGroup group, List<TargetGroupMember> includes,
                                   Map<UUID, Future<List<String>>> listings, Map<ServerKeys.Server, String> keys,
                                   Function<TargetGroupMember, String> sslModes) {
    List<ResolvedTarget> included = new ArrayList<>();
    List<MemberFailure> failures = new ArrayList<>();
    Map<UUID, Integer> listed = new LinkedHashMap<>();
    for (int i = 0; i < includes.size(); i++) {
      TargetGroupMember member = includes.get(i);
      String key = keys.get(server(member));
      Future<List<String>> listing = listings.get(member.targetId());
      if (listing != null && listing.failed()) {
        failures.add(new MemberFailure(member, key, listing.cause()));
        continue;
      }
      List<String> databases = listing == null ? List.of(member.databaseName()) : listing.result();
      listed.put(member.targetId(), databases.size());
      // The mode in force now is what the target keeps, so its row says how it connected.
      ConnectionSettings connection = member.connection().withSslMode(sslModes.apply(member));
      databases.forEach(database -> included.add(target(member, key, database, connection)));
    }
    // Exclusions are applied where they can be known: an excluded server needs no listing, so none is needed.
    List<TargetSets.Exclusion> exclusions = group.members().stream()
      .filter(member -> !member.isInclude())
      .map(m -> new TargetSets.Exclusion(m.type(), keys.get(server(m)), m.databaseName(), m.elasticPoolName()))
      .toList();
    TargetSets.Resolved resolved = TargetSets.resolve(included, exclusions);
    return new Expansion(resolved.targets(), failures, resolved.merges(), listed);
  }

  private static boolean isDatabase(TargetGroupMember member) {
    return member.type().equals("SqlDatabase");
  }

  private Future<List<String>> databasesOf(TargetGroupMember member) {
    try {
      var driver = dependencies.drivers().forEngine(member.engine());
      // With the agent's identity (or no refresh credential to read) the driver decides how to log in.
      Future<Login> login = driver.usesStoredCredentials() && member.refreshCredentialId() != null
        ? dependencies.credentials().login(member.refreshCredentialId())
        : Future.succeededFuture(null);
      long timeoutMs = dependencies.listingTimeout().toMillis();
      return login
        .compose(refresh -> member.type().equals("SqlElasticPool")
          ? driver.listPoolDatabases(member.serverName(), member.elasticPoolName(), refresh, member.connection())
          : driver.listDatabases(member.serverName(), refresh, member.connection()))
        // A server that accepts the connection and never answers must not hold the step.
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(e instanceof FleetJobsException ? e : new TargetUnreachable("serverName",
          "Could not list the databases of server '" + member.serverName() + "': " + (e instanceof TimeoutException
            ? "no answer within " + dependencies.listingTimeout().toSeconds() + " s." : e.getMessage()), e)));
    } catch (FleetJobsException e) {
      return Future.failedFuture(e);
    }
  }

  private static ServerKeys.Server server(TargetGroupMember member) {
    return new ServerKeys.Server(member.serverName(), member.engine());
  }

  private static ResolvedTarget target(TargetGroupMember member, String serverKey, String database,
                                       ConnectionSettings connection) {
    String group = member.elasticPoolName() != null ? member.elasticPoolName() : member.serverName();
    return new ResolvedTarget(member.type(), member.targetId(), member.engine(), member.serverName(), serverKey,
      database, group, connection);
  }
}
