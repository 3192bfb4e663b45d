package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SsrfGuardTest {
  private static final SsrfGuard NO_ALLOW_LIST = SsrfGuard.parse(null);
  private static final String FIELD = "receivers.webhook[0].serviceUri";

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, a loopback address",
      "127.255.0.9, a loopback address",
      "::1, a loopback address",
      "0.0.0.0, an unspecified (any-local) address",
      "0.1.2.3, an unspecified (any-local) address",
      "::, an unspecified (any-local) address",
      "169.254.169.254, a link-local address",
      "fe80::1, a link-local address",
      "febf::1, a link-local address",
      "10.1.2.3, a private address",
      "172.16.0.1, a private address",
      "172.31.255.255, a private address",
      "192.168.1.1, a private address",
      "fc00::1, a unique-local address",
      "fd12:3456::1, a unique-local address",
      "100.64.0.1, a carrier-grade NAT address",
      "100.127.255.255, a carrier-grade NAT address",
      "224.0.0.1, a multicast address",
      "239.255.255.250, a multicast address",
      "ff02::1, a multicast address",
      "255.255.255.255, the broadcast address"})
  void internal_ranges_are_refused(String literal, String reason) {
    InetAddress address = literal(literal);

    assertEquals(address.getHostAddress() + " is " + reason, NO_ALLOW_LIST.refusal(address));
  }

  @Test
  void the_message_reads_naturally() {
    assertEquals("127.0.0.1 is a loopback address", NO_ALLOW_LIST.refusal(literal("127.0.0.1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888"})
  void public_addresses_are_allowed(String literal) {
    assertNull(NO_ALLOW_LIST.refusal(literal(literal)));
  }

  @Test
  void an_ipv4_mapped_loopback_is_refused() {
    // The JDK returns an Inet4Address for this literal; the check must hold either way.
    assertEquals("127.0.0.1 is a loopback address", NO_ALLOW_LIST.refusal(literal("::ffff:127.0.0.1")));
  }

  @Test
  void an_ipv4_mapped_address_kept_as_ipv6_is_refused() throws UnknownHostException {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169,
        (byte) 254};
    Inet6Address address = Inet6Address.getByAddress(null, mapped, -1);

    String refusal = NO_ALLOW_LIST.refusal(address);

    assertNotNull(refusal);
    assertTrue(refusal.endsWith("embeds the IPv4 address 169.254.169.254, a link-local address"), refusal);
  }

  @Test
  void an_ipv4_compatible_private_address_is_refused() {
    String refusal = NO_ALLOW_LIST.refusal(literal("::10.0.0.1"));

    assertNotNull(refusal);
    assertTrue(refusal.endsWith("embeds the IPv4 address 10.0.0.1, a private address"), refusal);
  }

  @ParameterizedTest
  @CsvSource({
      "::ffff:0:127.0.0.1, 127.0.0.1, a loopback address",
      "::127.0.0.1, 127.0.0.1, a loopback address",
      "64:ff9b::127.0.0.1, 127.0.0.1, a loopback address",
      "64:ff9b::a9fe:a9fe, 169.254.169.254, a link-local address",
      "64:ff9b:1::7f00:1, 127.0.0.1, a loopback address",
      "2002:7f00:1::, 127.0.0.1, a loopback address",
      "2002:c0a8:101::1, 192.168.1.1, a private address",
      "2001:0:4136:e378:8000:63bf:80ff:fffe, 127.0.0.1, a loopback address",
      "2001:0:a00:1:8000:63bf:f7f7:f7f7, 10.0.0.1, a private address"})
  void ipv6_forms_that_translators_map_to_a_refused_ipv4_address_are_refused(String literal, String ipv4,
                                                                            String reason) {
    String refusal = NO_ALLOW_LIST.refusal(literal(literal));

    assertNotNull(refusal, literal);
    assertTrue(refusal.endsWith("embeds the IPv4 address " + ipv4 + ", " + reason), refusal);
  }

  /** Inside 64:ff9b:1::/48 the operator's prefix length places the IPv4 address; each place counts. */
  @ParameterizedTest
  @ValueSource(strings = {"64:ff9b:1:7f00:0:100:808:808", "64:ff9b:1:ff0a:a:a0a:808:808",
      "64:ff9b:1:808:a:a0a:a08:808"})
  void local_use_nat64_is_refused_wherever_its_prefix_puts_a_refused_address(String literal) {
    String refusal = NO_ALLOW_LIST.refusal(literal(literal));

    assertNotNull(refusal, literal);
    assertTrue(refusal.contains(" embeds the IPv4 address "), refusal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"::ffff:0:8.8.8.8", "::8.8.8.8", "64:ff9b::8.8.8.8", "64:ff9b:1:808:8:808:808:808",
      "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"})
  void the_same_forms_of_a_public_address_are_allowed(String literal) {
    assertNull(NO_ALLOW_LIST.refusal(literal(literal)), literal);
  }

  @Test
  void an_allow_listed_address_or_range_covers_its_translated_forms() {
    assertNull(SsrfGuard.parse("127.0.0.1").refusal(literal("64:ff9b::127.0.0.1")));
    assertNull(SsrfGuard.parse("64:ff9b::/96").refusal(literal("64:ff9b::10.0.0.1")));
    assertNotNull(SsrfGuard.parse("127.0.0.1").refusal(literal("2002:7f00:2::")));
  }

  @Test
  void an_allowed_address_passes_and_its_neighbour_does_not() {
    SsrfGuard guard = SsrfGuard.parse("127.0.0.1");

    assertNull(guard.refusal(literal("127.0.0.1")));
    assertNotNull(guard.refusal(literal("127.0.0.2")));
  }

  @Test
  void an_allowed_ipv4_range_passes_only_its_members() {
    SsrfGuard guard = SsrfGuard.parse(" 10.0.0.0/8 , 192.168.4.0/22");

    assertNull(guard.refusal(literal("10.200.3.4")));
    assertNull(guard.refusal(literal("192.168.7.255")));
    assertNotNull(guard.refusal(literal("192.168.8.1")));
    assertNotNull(guard.refusal(literal("172.16.0.1")));
  }

  @Test
  void an_allowed_ipv6_range_passes_only_its_members() {
    SsrfGuard guard = SsrfGuard.parse("fd00::/8,::1");

    assertNull(guard.refusal(literal("fd12::1")));
    assertNull(guard.refusal(literal("::1")));
    assertNotNull(guard.refusal(literal("fc00::1")));
  }

  @Test
  void an_allowed_ipv4_address_also_covers_its_ipv6_forms() {
    SsrfGuard guard = SsrfGuard.parse("10.0.0.1");

    assertNull(guard.refusal(literal("::10.0.0.1")));
    assertNull(guard.refusal(literal("::ffff:10.0.0.1")));
  }

  @Test
  void a_blank_allow_list_allows_nothing_extra() {
    assertNotNull(SsrfGuard.parse("  ").refusal(literal("127.0.0.1")));
    assertNotNull(SsrfGuard.parse("").refusal(literal("10.0.0.1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "example.com", "10.0.0.256", "10.0.0", "010.0.0.1", "10.0.0.0/33",
      "10.0.0.0/", "10.0.0.0/-1", "fd00::/129", "fe80::1%eth0", "::g", ".1.2.3", "1.2.3.4/8/8", "::ffff:10.0.0.0/95"})
  void bad_allow_entries_are_rejected_by_name(String entry) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SsrfGuard.parse("127.0.0.1, " + entry));

    assertTrue(e.getMessage().contains("FLEETJOBS_WEBHOOK_ALLOW"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://hooks.example.com/alerts?token=abc", "http://example.com", "HTTPS://EXAMPLE.COM/x",
      "http://[2001:db8::1]:8080/hook"})
  void well_formed_http_urls_are_accepted(String uri) {
    assertEquals(URI.create(uri), SsrfGuard.checkedUri(uri, FIELD));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.com/file", "file:///etc/passwd", "/relative/path", "example.com/hook",
      "http:///no-host", "http://user:pass@example.com/", "https://token@example.com/", "http://exa mple.com/",
      "mailto:ops@example.com", ""})
  void other_urls_are_invalid_on_the_given_field(String uri) {
    InvalidInput e = assertThrows(InvalidInput.class, () -> SsrfGuard.checkedUri(uri, FIELD));

    assertEquals(FIELD, e.target());
  }

  @Test
  void an_overlong_url_is_invalid() {
    String uri = "https://example.com/" + "a".repeat(2048);

    assertThrows(InvalidInput.class, () -> SsrfGuard.checkedUri(uri, FIELD));
  }

  @Test
  void a_url_of_exactly_the_limit_is_accepted() {
    String prefix = "https://example.com/";
    String uri = prefix + "a".repeat(2048 - prefix.length());

    assertEquals(2048, SsrfGuard.checkedUri(uri, FIELD).toString().length());
  }

  @Test
  void invalid_url_messages_do_not_repeat_the_url() {
    InvalidInput e = assertThrows(InvalidInput.class,
        () -> SsrfGuard.checkedUri("https://secret-token@example.com/", FIELD));

    assertFalse(e.getMessage().contains("secret-token"));
  }

  private static InetAddress literal(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(literal, e);
    }
  }
}
