package io.fleetjobs.server.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A test certificate authority made at test time with the JDK's keytool, and certificates it signs, written as the
 * PEM files PostgreSQL, MariaDB and the agent read. Nothing here is committed: every run makes new keys in a
 * temporary directory.
 */
public final class TestCertificates {
  private static final String PASSWORD = "test-only";
  private final Path dir;

  /** A PEM certificate with its PKCS#8 private key (owner-only, as servers insist). */
  public record Issued(Path certificate, Path key) {
  }

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A new authority named {@code name}; its certificate is {@link #caFile()}. */
  public static TestCertificates authority(String name) {
    try {
      TestCertificates ca = new TestCertificates(Files.createTempDirectory("fleetjobs-ca-"));
      ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + name, "-ext", "bc:c", "-keystore", ca.store("ca").toString());
      ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.store("ca").toString(),
        "-file", ca.caFile().toString());
      return ca;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  /**
   * A certificate signed by this authority for {@code commonName}, with the subjectAltNames given in keytool's
   * words ({@code dns:localhost}, {@code ip:127.0.0.1}); none: the common name alone names it.
   */
  public Issued issue(String alias, String commonName, String... alternativeNames) {
    try {
      Path store = store(alias);
      keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + commonName, "-keystore", store.toString());
      Path request = dir.resolve(alias + ".csr");
      keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", request.toString());
      Path certificate = dir.resolve(alias + ".crt");
      List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-validity", "2",
        "-keystore", store("ca").toString(), "-infile", request.toString(), "-outfile", certificate.toString()));
      if (alternativeNames.length > 0) {
        sign.addAll(List.of("-ext", "SAN=" + String.join(",", alternativeNames)));
      }
      keytool(sign.toArray(String[]::new));
      Path key = dir.resolve(alias + ".key");
      Files.writeString(key, pem("PRIVATE KEY", privateKey(store, alias).getEncoded()), StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      return new Issued(certificate, key);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path store(String alias) {
    return dir.resolve(alias + ".p12");
  }

  private static PrivateKey privateKey(Path store, String alias) throws IOException,
    java.security.GeneralSecurityException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    return (PrivateKey) keys.getKey(alias, PASSWORD.toCharArray());
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
      .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private void keytool(String... args) throws IOException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    // keytool is a JVM of its own, started for every key, request and signature: on C1 with the serial collector
    // it spends about 40 % less CPU, and a P-256 key takes milliseconds where RSA-2048 took a second of C2.
    List<String> command = new ArrayList<>(List.of(keytool.toString(), "-J-XX:TieredStopAtLevel=1",
      "-J-XX:+UseSerialGC", "-noprompt", "-storetype", "PKCS12",
      "-storepass", PASSWORD, "-keypass", PASSWORD));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new IOException("keytool " + args[0] + " failed: " + said);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
