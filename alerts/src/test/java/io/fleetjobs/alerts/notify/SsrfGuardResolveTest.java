package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SsrfGuardResolveTest {
  @Test
  void a_loopback_destination_is_refused(Vertx vertx, VertxTestContext ctx) {
    SsrfGuard.parse(null)
        .resolve(vertx, URI.create("http://127.0.0.1:8080/hook"))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertInstanceOf(RefusedDestination.class, e);
          assertTrue(e.getMessage().contains("127.0.0.1 is a loopback address"), e.getMessage());
          assertTrue(e.getMessage().contains("FLEETJOBS_WEBHOOK_ALLOW"), e.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void a_host_name_is_refused_by_the_address_it_resolves_to(Vertx vertx, VertxTestContext ctx) {
    SsrfGuard.parse(null)
        .resolve(vertx, URI.create("http://localhost/hook"))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertInstanceOf(RefusedDestination.class, e);
          assertTrue(e.getMessage().startsWith("refusing webhook host localhost: "), e.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void an_allow_listed_loopback_destination_resolves(Vertx vertx, VertxTestContext ctx) {
    SsrfGuard.parse("127.0.0.1")
        .resolve(vertx, URI.create("http://127.0.0.1:8080/hook"))
        .onComplete(ctx.succeeding(address -> ctx.verify(() -> {
          assertEquals("127.0.0.1", address.getHostAddress());
          ctx.completeNow();
        })));
  }

  @Test
  void an_allow_listed_ipv6_loopback_in_brackets_resolves(Vertx vertx, VertxTestContext ctx) {
    SsrfGuard.parse("::1")
        .resolve(vertx, URI.create("http://[::1]:8080/hook"))
        .onComplete(ctx.succeeding(address -> ctx.verify(() -> {
          assertEquals("0:0:0:0:0:0:0:1", address.getHostAddress());
          ctx.completeNow();
        })));
  }

  @Test
  void an_unresolvable_host_is_refused(Vertx vertx, VertxTestContext ctx) {
    SsrfGuard.parse(null)
        .resolve(vertx, URI.create("http://no-such-host.invalid/hook"))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertInstanceOf(RefusedDestination.class, e);
          assertEquals("cannot resolve host no-such-host.invalid", e.getMessage());
          ctx.completeNow();
        })));
  }
}
