package io.fleetjobs.server.targets;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The authorities a target's certificate must chain to (a PEM bundle, or the JVM's trust store), and the checks
 * that libpq's verify-ca and verify-full make, with refusals that say plainly why: which authorities were asked,
 * and which names the certificate was made out for against the host connected to.
 */
public final class TlsTrust {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final X509TrustManager authorities;
  private final String source;
  private final Map<String, HostCheck> checks = new ConcurrentHashMap<>();

  private TlsTrust(X509TrustManager authorities, String source) {
    this.authorities = authorities;
    this.source = source;
  }

  /** @param caBundle a PEM file of one or more certificates; null for the JVM's trust store. Blocking. */
  public static TlsTrust of(String caBundle) {
    try {
      if (caBundle == null) {
        return new TlsTrust(trustManager(null), "the JVM's trust store");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      Collection<? extends Certificate> certificates;
      try (InputStream in = Files.newInputStream(Path.of(caBundle))) {
        certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("The CA bundle " + caBundle + " holds no certificate.");
      }
      int index = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + index++, certificate);
      }
      return new TlsTrust(trustManager(store), "the CA bundle " + caBundle);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("Could not read the CA bundle " + caBundle + ": " + e.getMessage(), e);
    }
  }

  private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("No X.509 trust manager is available");
  }

  /** Where the authorities come from, for messages and the README's wording. */
  public String source() {
    return source;
  }

  /**
   * The trust manager for connections to {@code host} in {@code mode}: the chain must lead to a trusted authority,
   * and with {@code checkHost} the certificate must be made out for {@code host}, as verify-full (VERIFY_IDENTITY)
   * wants. One per host and mode, so the clients' TLS context cache keeps hitting and a refusal can be read back.
   */
  private HostCheck check(String host, String mode, boolean checkHost) {
    return checks.computeIfAbsent(host + "\u0000" + mode + "\u0000" + checkHost,
      key -> new HostCheck(host, mode, checkHost));
  }

  /**
   * Why a handshake with {@code host} in {@code mode} since {@code sinceNanos} ({@link System#nanoTime()}) refused
   * the server's certificate, if one did: the clients report a failed handshake without its cause.
   */
  public Optional<CertificateRefused> refusal(String host, String mode, long sinceNanos) {
    return Optional.ofNullable(checks.get(host + "\u0000" + mode + "\u0000" + true))
      .or(() -> Optional.ofNullable(checks.get(host + "\u0000" + mode + "\u0000" + false)))
      .map(HostCheck::refused)
      .filter(refused -> refused.at - sinceNanos >= 0)
      .map(Refused::why);
  }

  private record Refused(CertificateRefused why, long at) {
  }

  private final class HostCheck extends X509ExtendedTrustManager {
    private final String host;
    private final String mode;
    private final boolean checkHost;
    private volatile Refused refused;

    private HostCheck(String host, String mode, boolean checkHost) {
      this.host = host;
      this.mode = mode;
      this.checkHost = checkHost;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      check(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
      check(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
      check(chain, authType);
    }

    private void check(X509Certificate[] chain, String authType) throws CertificateException {
      try {
        // The two-argument check verifies the chain only; the host is checked below, with a message of ours.
        authorities.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        throw refuse(new CertificateRefused("certificate for " + String.join(", ", names(chain[0]))
          + " is not signed by an authority in " + source + " (sslMode " + mode + ")", e));
      }
      if (checkHost && !matches(chain[0], host)) {
        throw refuse(new CertificateRefused("certificate for " + String.join(", ", names(chain[0]))
          + " does not match host " + host + " (sslMode " + mode + ")", null));
      }
      refused = null;
    }

    private Refused refused() {
      return refused;
    }

    private CertificateRefused refuse(CertificateRefused why) {
      refused = new Refused(why, System.nanoTime());
      return why;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("Target connections are clients only.");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return authorities.getAcceptedIssuers();
    }
  }

  /**
   * TLS options for one connection. {@code verify} checks that a trusted authority signed the certificate
   * (verify-ca, VERIFY_CA), {@code checkHost} also that it names the host (verify-full, VERIFY_IDENTITY); without
   * either, the connection is encrypted and any certificate accepted, as libpq's require and MySQL's REQUIRED do.
   * The checks are ours, so a refusal says which names the certificate has and which host was asked for.
   *
   * @param clientCertificate the agent's certificate for servers that ask for one, or null
   */
  public ClientSSLOptions options(String host, String mode, boolean verify, boolean checkHost,
                                  KeyCertOptions clientCertificate) {
    ClientSSLOptions tls = new ClientSSLOptions();
    if (clientCertificate != null) {
      tls.setKeyCertOptions(clientCertificate);
    }
    if (!verify && !checkHost) {
      return tls.setTrustAll(true)
        .setHostnameVerificationAlgorithm("");
    }
    // The clients want an algorithm named when the host is checked; the trust manager does the check itself.
    return tls.setTrustOptions(TrustOptions.wrap(check(host, mode, checkHost)))
      .setHostnameVerificationAlgorithm(checkHost ? "HTTPS" : "");
  }

  /**
   * As libpq and RFC 6125 match: the DNS names and IP addresses of subjectAltName, or the common name when there is
   * no DNS name; a wildcard stands for exactly one leftmost label; an IP address matches only an IP entry.
   */
  static boolean matches(X509Certificate certificate, String host) {
    String wanted = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    boolean ip = IPV4.matcher(wanted).matches() || wanted.contains(":");
    List<String> dns = new ArrayList<>();
    for (List<?> entry : alternativeNames(certificate)) {
      int type = (Integer) entry.get(0);
      String value = entry.get(1).toString();
      if (type == 2) {
        dns.add(value);
      } else if (type == 7 && ip && sameAddress(value, wanted)) {
        return true;
      }
    }
    if (ip) {
      return false;
    }
    List<String> candidates = dns.isEmpty() ? commonNames(certificate) : dns;
    return candidates.stream().anyMatch(name -> dnsMatches(name, wanted));
  }

  /** What a certificate is made out for, for a refusal: its subjectAltNames, or its common name. */
  static List<String> names(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    for (List<?> entry : alternativeNames(certificate)) {
      int type = (Integer) entry.get(0);
      if (type == 2 || type == 7) {
        names.add(entry.get(1).toString());
      }
    }
    return names.isEmpty() ? commonNames(certificate) : names;
  }

  private static boolean dnsMatches(String pattern, String host) {
    String name = pattern.toLowerCase(Locale.ROOT);
    String target = host.toLowerCase(Locale.ROOT);
    if (!name.startsWith("*.")) {
      return name.equals(target);
    }
    int dot = target.indexOf('.');
    return dot > 0 && target.substring(dot).equals(name.substring(1));
  }

  private static boolean sameAddress(String a, String b) {
    try {
      // Literals only: getByName parses an address without asking DNS.
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (IOException e) {
      return false;
    }
  }

  private static Collection<List<?>> alternativeNames(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      return names == null ? List.of() : names;
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static List<String> commonNames(X509Certificate certificate) {
    try {
      List<String> names = new ArrayList<>();
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
      return names;
    } catch (InvalidNameException e) {
      return List.of();
    }
  }
}
