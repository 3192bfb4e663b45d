package io.fleetjobs.server.live;

import io.fleetjobs.common.async.CoalescedRounds;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.jobs.dispatch.AgentStatus;
import io.fleetjobs.server.jobs.executions.ExecutionSummaryRepository;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes what live pages need to every open event stream: an {@code execution} event when an execution
 * may have changed, with its targets counted by step and lifecycle (so no page counts rows), and an
 * {@code agent} event (tier and capacity in use) every {@value #TICK_MS} ms.
 * A target finishing or a run starting on this agent triggers a check at once; the periodic check finds
 * what other agents sharing the job database did. One check serves every client, so the job database
 * sees the same load with one dashboard open as with fifty. Each tick also checks, in one query, that the
 * tokens the streams were opened with still exist and still allow reading: a revoked token's stream ends
 * within {@value #TICK_MS} ms, as its next request would be refused. Confined to the event loop that created it.
 */
public final class LiveFeed {
  static final long TICK_MS = 5_000;
  /** A burst of finished targets becomes one check. */
  private static final long COALESCE_MS = 250;
  /** How far back each check looks before the last one: covers commits that raced with it. */
  private static final Duration OVERLAP = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

  private final Vertx vertx;
  private final ExecutionChangeRepository changes;
  private final ExecutionSummaryRepository summaries;
  private final AgentStatus agent;
  private final AccessTokenRepository tokens;
  /** What streaming events needs: the contract's role of streamEvents. */
  private static final Role STREAM_ROLE = Role.READER;

  /** Each open stream, with the hash of the token it was opened with. */
  private final Map<HttpServerResponse, Buffer> clients = new LinkedHashMap<>();
  /** The state last sent of each ended execution still inside the look-back, so it is sent once. */
  private final Map<UUID, String> sent = new HashMap<>();
  private final MessageConsumer<Object> finished;
  private final MessageConsumer<Object> started;
  private final long ticker;
  private final CoalescedRounds checks = new CoalescedRounds(this::check);
  private Instant since;

  public LiveFeed(Vertx vertx, ExecutionChangeRepository changes, ExecutionSummaryRepository summaries,
                  AgentStatus agent, AccessTokenRepository tokens) {
    this.vertx = vertx;
    this.changes = changes;
    this.summaries = summaries;
    this.agent = agent;
    this.tokens = tokens;
    finished = vertx.eventBus().localConsumer(Addresses.TARGET_FINISHED, message -> checkSoon());
    started = vertx.eventBus().localConsumer(Addresses.DISPATCH_WAKE, message -> checkSoon());
    ticker = vertx.setPeriodic(TICK_MS, id -> tick());
  }

  /** Streams events to this response until the client goes away or its token no longer holds. */
  public void subscribe(HttpServerResponse response, Buffer tokenHash) {
    clients.put(response, tokenHash);
    response.closeHandler(closed -> clients.remove(response));
    response.exceptionHandler(failure -> clients.remove(response));
    agent.describe().onSuccess(status -> send(response, "agent", status));
  }

  int clientCount() {
    return clients.size();
  }

  private void tick() {
    if (clients.isEmpty()) {
      since = null;
      sent.clear();
      return;
    }
    checks.request();
    recheckTokens();
    agent.describe()
      .onSuccess(status -> clients.keySet().forEach(client -> send(client, "agent", status)))
      .onFailure(failure -> LOG.warn("Live feed could not read the agent status: {}", failure.getMessage()));
  }

  private void recheckTokens() {
    Set<Buffer> checked = Set.copyOf(clients.values());
    tokens.rolesOf(checked)
      .onSuccess(roles -> List.copyOf(clients.entrySet()).forEach(client -> {
        // A stream opened while the query ran was not checked by it.
        Role role = roles.get(client.getValue());
        if (checked.contains(client.getValue()) && (role == null || !role.covers(STREAM_ROLE))) {
          clients.remove(client.getKey());
          if (!client.getKey().closed()) {
            client.getKey().end();
          }
        }
      }))
      .onFailure(failure -> LOG.warn("Live feed could not check the tokens of its streams: {}", failure.getMessage()));
  }

  private void checkSoon() {
    if (!clients.isEmpty()) {
      checks.requestAfter(() -> vertx.timer(COALESCE_MS));
    }
  }

  private Future<?> check() {
    Instant from = since == null ? Instant.now().minus(OVERLAP) : since.minus(OVERLAP);
    return changes.since(from)
      .compose(found -> {
        since = found.checkedAt();
        List<ExecutionChange> due = due(found);
        return summaries.summaries(due.stream().map(ExecutionChange::jobExecutionId).toList())
          .recover(failure -> {
            // An event without its counts still tells a page to look again.
            LOG.warn("Live feed could not count the targets of {} executions: {}", due.size(), failure.getMessage());
            return Future.succeededFuture(Map.of());
          })
          .onSuccess(counted -> due.forEach(change -> {
            JsonObject event = change.toJson(counted.get(change.jobExecutionId()));
            clients.keySet().forEach(client -> send(client, "execution", event));
          }));
      })
      .onFailure(failure -> LOG.warn("Live feed could not read execution changes: {}", failure.getMessage()));
  }

  /** Active executions always go out, since their targets move on; an ended one only when it changed. */
  private List<ExecutionChange> due(ExecutionChangeRepository.Changes found) {
    Map<UUID, String> stillInWindow = new HashMap<>();
    List<ExecutionChange> due = new ArrayList<>();
    for (ExecutionChange change : found.executions()) {
      stillInWindow.put(change.jobExecutionId(), change.state());
      if (change.active() || !change.state().equals(sent.get(change.jobExecutionId()))) {
        due.add(change);
      }
    }
    sent.clear();
    sent.putAll(stillInWindow);
    return due;
  }

  /** A client too slow to take an event misses it; the next check or tick brings it up to date. */
  private static void send(HttpServerResponse client, String event, JsonObject data) {
    if (!client.closed() && !client.writeQueueFull()) {
      client.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
    }
  }

  public Future<Void> close() {
    vertx.cancelTimer(ticker);
    clients.keySet().forEach(client -> {
      if (!client.closed()) {
        client.end();
      }
    });
    clients.clear();
    return Future.join(finished.unregister(), started.unregister()).mapEmpty();
  }
}
