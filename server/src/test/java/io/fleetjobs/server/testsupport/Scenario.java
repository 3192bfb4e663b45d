package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * What a test runs on, made through the agent's public API in a few fluent calls: a fleet of target databases,
 * credentials, target groups, and jobs with steps.
 *
 * <pre>{@code
 * Scenario.on(agent)
 *   .fleet(server, "db1", "db2")
 *   .credential("job")
 *   .group("both", "db1", "db2")
 *   .job("report")
 *   .step("collect", "SELECT 1")
 *   .retryAttempts(0)
 *   .create();
 * }</pre>
 *
 * Nothing is sent until {@link #create()}, which sends every call in order and fails the test on the first one
 * the agent refuses. A step runs with the credential and on the target group named last before it; the calls
 * after a group, a job or a step refine it.
 *
 * <p>A test class may keep its scenario in a field, {@code Scenario.on(agent)} beside its per-class agent, make the
 * common part in {@code @BeforeAll} and add to it in its tests. Each later chain starts again from the credential
 * and target group the first chain ended with, so what one test names does not leak into the next; naming a job
 * the scenario made before selects it for more steps.
 */
public final class Scenario {
  /** The test servers trust local connections, so the password is not checked; it is still sealed and stored. */
  public static final String USERNAME = "postgres";
  public static final String PASSWORD = "not-a-secret";

  private final Supplier<ApiClient> api;
  private final List<Runnable> pending = new ArrayList<>();
  private final Set<String> jobs = new HashSet<>();
  private boolean created;
  private String defaultCredential;
  private String defaultTargetGroup;
  private String serverName;
  private String engine;
  private String credential;
  private String targetGroup;
  private JsonArray members;
  private String jobName;
  private JsonObject job;
  private JsonObject step;

  private Scenario(Supplier<ApiClient> api) {
    this.api = api;
  }

  /** Through the agent's admin client, which a per-class agent has only once its class has started. */
  public static Scenario on(AgentFixture agent) {
    return new Scenario(agent::admin);
  }

  public static Scenario on(ApiClient api) {
    return new Scenario(() -> api);
  }

  /** Names for a fleet of many databases: prefix0 to prefix(count - 1). */
  public static String[] numbered(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toArray(String[]::new);
  }

  /** Creates these databases on the server; the fleet's members below name it. */
  public Scenario fleet(TargetServer server, String... databases) {
    serverName = server.serverName();
    if (databases.length > 0) {
      pending.add(() -> server.createDatabases(databases));
    }
    return this;
  }

  /** A fleet on a server named only: its databases exist already, or nothing answers there. */
  public Scenario fleet(String serverName) {
    this.serverName = serverName;
    return this;
  }

  /** The engine the fleet's members and outputs are reached with, such as "sqlserver" (the test dialect). */
  public Scenario engine(String engine) {
    this.engine = engine;
    return this;
  }

  /** A credential with the test servers' login. */
  public Scenario credential(String name) {
    return credential(name, USERNAME, PASSWORD);
  }

  public Scenario credential(String name, String username, String password) {
    send(HttpMethod.PUT, "/credentials/" + name, new JsonObject().put("username", username).put("password", password));
    credential = name;
    return this;
  }

  /** The group's member for this database of the fleet goes first in a rollout. */
  public Scenario canary(String database) {
    members().stream().map(JsonObject.class::cast)
      .filter(member -> database.equals(member.getString("databaseName")))
      .forEach(member -> member.put("canary", true));
    return this;
  }

  /** The group's member for this database of the fleet connects with this sslMode, in its engine's words. */
  public Scenario sslMode(String database, String mode) {
    members().stream().map(JsonObject.class::cast)
      .filter(member -> database.equals(member.getString("databaseName")))
      .forEach(member -> member.put("sslMode", mode));
    return this;
  }

  /** A target group of these databases of the fleet; the calls below add other members. */
  public Scenario group(String name, String... databases) {
    members = new JsonArray();
    targetGroup = name;
    send(HttpMethod.PUT, "/targetGroups/" + name, new JsonObject().put("members", members));
    for (String database : databases) {
      members.add(fleetMember("SqlDatabase").put("databaseName", database));
    }
    return this;
  }

  /** A server member: every database of the fleet's server, enumerated with the refresh credential. */
  public Scenario everyDatabase(String refreshCredential) {
    return member(fleetMember("SqlServer").put("refreshCredential", refreshCredential));
  }

  /** A member that takes a database of the fleet out of the group. */
  public Scenario exclude(String database) {
    return member(fleetMember("SqlDatabase").put("databaseName", database).put("membershipType", "Exclude"));
  }

  /** Members on a server outside the fleet, or the fleet's server spelled another way, reached as PostgreSQL. */
  public Scenario databasesOn(String serverName, String... databases) {
    for (String database : databases) {
      member(plainMember("SqlDatabase", serverName).put("databaseName", database));
    }
    return this;
  }

  /** A server member outside the fleet, reached as PostgreSQL. */
  public Scenario everyDatabaseOn(String serverName, String refreshCredential) {
    return member(plainMember("SqlServer", serverName).put("refreshCredential", refreshCredential));
  }

  /** The group's members so far trust their server's certificate. */
  public Scenario trustServerCertificate() {
    members().forEach(member -> ((JsonObject) member).put("trustServerCertificate", true));
    return this;
  }

  /** The steps below run on this group, made before. */
  public Scenario targetGroup(String name) {
    targetGroup = name;
    members = null;
    return this;
  }

  /** A new job, or, when this scenario made it before, that job for more steps. */
  public Scenario job(String name) {
    jobName = name;
    step = null;
    job = null;
    if (jobs.add(name)) {
      job = new JsonObject();
      send(HttpMethod.PUT, "/jobs/" + name, job);
    }
    return this;
  }

  public Scenario description(String description) {
    job().put("description", description);
    return this;
  }

  public Scenario schedule(JsonObject schedule) {
    job().put("schedule", schedule);
    return this;
  }

  public Scenario overlapPolicy(String policy) {
    job().put("overlapPolicy", policy);
    return this;
  }

  /** A step of the job, or a new definition of it: the command, with the credential and group named last. */
  public Scenario step(String name, String command) {
    if (jobName == null) {
      throw new IllegalStateException("step(" + name + ") needs a job() before it");
    }
    step = new JsonObject();
    if (targetGroup != null) {
      step.put("targetGroup", targetGroup);
    }
    if (credential != null) {
      step.put("credential", credential);
    }
    step.put("action", new JsonObject().put("value", command));
    send(HttpMethod.PUT, "/jobs/" + jobName + "/steps/" + name, step);
    return this;
  }

  public Scenario retryAttempts(int attempts) {
    executionOptions().put("retryAttempts", attempts);
    return this;
  }

  public Scenario retryBackoff(int initialIntervalSeconds, double multiplier) {
    executionOptions().put("initialRetryIntervalSeconds", initialIntervalSeconds)
      .put("retryIntervalBackoffMultiplier", multiplier);
    return this;
  }

  /** Transient (the default) or Any: retry every failure, as Elastic Jobs does. */
  public Scenario retryOn(String which) {
    executionOptions().put("retryOn", which);
    return this;
  }

  public Scenario timeoutSeconds(int seconds) {
    executionOptions().put("timeoutSeconds", seconds);
    return this;
  }

  /** The step runs in waves: {"waves": [...], "errorBudget": {...}, "betweenWaves": ...}. */
  public Scenario rollout(JsonObject rollout) {
    step().put("rollout", rollout);
    return this;
  }

  public Scenario maxParallelism(int targets) {
    step().put("maxParallelism", targets);
    return this;
  }

  /** The step's first result set goes to this table, in its engine's default schema, on the fleet's server. */
  public Scenario output(String database, String table) {
    return output(database, null, table);
  }

  /** The step's first result set goes to this table on the fleet's server, written with the step's credential. */
  public Scenario output(String database, String schema, String table) {
    JsonObject output = new JsonObject();
    if (engine != null) {
      output.put("engine", engine);
    }
    output.put("serverName", fleetServer()).put("databaseName", database);
    if (schema != null) {
      output.put("schemaName", schema);
    }
    output.put("tableName", table);
    if (credential != null) {
      output.put("credential", credential);
    }
    step().put("output", output);
    return this;
  }

  /** Any other definition, such as an action group or an alert rule. */
  public Scenario put(String path, JsonObject body) {
    send(HttpMethod.PUT, path, body);
    return this;
  }

  public Scenario post(String path, JsonObject body) {
    send(HttpMethod.POST, path, body);
    return this;
  }

  /** Sends the chain; the next chain starts from the credential and target group of the first one. */
  public Scenario create() {
    List<Runnable> chain = List.copyOf(pending);
    pending.clear();
    chain.forEach(Runnable::run);
    if (!created) {
      created = true;
      defaultCredential = credential;
      defaultTargetGroup = targetGroup;
    }
    credential = defaultCredential;
    targetGroup = defaultTargetGroup;
    members = null;
    jobName = null;
    job = null;
    step = null;
    return this;
  }

  private void send(HttpMethod method, String path, JsonObject body) {
    pending.add(() -> {
      HttpResponse<Buffer> response = api.get().send(method, path, body.toBuffer());
      assertTrue(response.statusCode() < 300, method + " " + path + ": " + response.statusCode() + " "
        + response.bodyAsString());
    });
  }

  private Scenario member(JsonObject member) {
    members().add(member);
    return this;
  }

  private JsonObject fleetMember(String type) {
    JsonObject member = new JsonObject().put("type", type);
    if (engine != null) {
      member.put("engine", engine);
    }
    return member.put("serverName", fleetServer());
  }

  private static JsonObject plainMember(String type, String serverName) {
    return new JsonObject().put("type", type).put("serverName", serverName);
  }

  private String fleetServer() {
    if (serverName == null) {
      throw new IllegalStateException("name the fleet() first");
    }
    return serverName;
  }

  private JsonArray members() {
    if (members == null) {
      throw new IllegalStateException("members belong to a group() this chain defines");
    }
    return members;
  }

  private JsonObject job() {
    if (job == null) {
      throw new IllegalStateException("job settings belong to a job() this scenario defines here");
    }
    return job;
  }

  private JsonObject step() {
    if (step == null) {
      throw new IllegalStateException("step settings belong to a step()");
    }
    return step;
  }

  private JsonObject executionOptions() {
    JsonObject options = step().getJsonObject("executionOptions");
    if (options == null) {
      options = new JsonObject();
      step.put("executionOptions", options);
    }
    return options;
  }
}
