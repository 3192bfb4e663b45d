package io.fleetjobs.server.testsupport.tds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for the TDS test server, made by the JDK's keytool when first asked for and
 * kept in a temporary directory that the JVM deletes on exit: no private key is ever committed. Its names
 * are {@code localhost}, {@code tds.fleetjobs.test} and 127.0.0.1, so hostNameInCertificate can be shown
 * to matter.
 */
public final class TestCertificate {
  public static final String OTHER_NAME = "tds.fleetjobs.test";
  private static final char[] PASSWORD = "tds-test-only".toCharArray();
  private static TestCertificate instance;

  private final SSLContext context;
  private final Path pem;

  private TestCertificate(SSLContext context, Path pem) {
    this.context = context;
    this.pem = pem;
  }

  public static synchronized TestCertificate get() {
    if (instance == null) {
      instance = generate();
    }
    return instance;
  }

  /** The server side: the key and its certificate. */
  SSLContext serverContext() {
    return context;
  }

  /** The certificate alone, PEM-encoded, as the driver's serverCertificate property names one. */
  public Path pemFile() {
    return pem;
  }

  private static TestCertificate generate() {
    try {
      Path dir = Files.createTempDirectory("fleetjobs-tds-cert");
      dir.toFile().deleteOnExit();
      Path store = dir.resolve("server.p12");
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      Process process = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "tds", "-keyalg", "EC",
        "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-validity", "2",
        "-ext", "SAN=dns:localhost,dns:" + OTHER_NAME + ",ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
        .redirectErrorStream(true)
        .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool could not make the test certificate: " + output);
      }
      store.toFile().deleteOnExit();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keys.load(in, PASSWORD);
      }
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keys, PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(factory.getKeyManagers(), null, null);
      Certificate certificate = keys.getCertificate("tds");
      Path pem = dir.resolve("server.pem");
      Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n");
      pem.toFile().deleteOnExit();
      return new TestCertificate(context, pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
