package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS through the JDK's HttpClient, trusting exactly the server's certificate. */
final class TlsTest {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.OFF);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;

  private ServeOptions options(TlsOptions tls) {
    return new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), Map.of())
        .withTls(tls);
  }

  private static HttpClient trusting(X509Certificate certificate) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("polysync", certificate);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic "
        + Base64.getEncoder().encodeToString("boss:secret".getBytes(StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void selfSigned_servesHttps_printsTheFingerprintOfWhatItServes() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Server server = Server.start(options(TlsOptions.selfSignedForDevelopment()),
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      X509Certificate certificate = server.certificate().orElseThrow();
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("SHA-256 fingerprint: " + SelfSignedCertificate.fingerprint(certificate));
      HttpClient client = trusting(certificate);

      HttpResponse<String> welcome = get(client, "https://127.0.0.1:" + server.port() + "/");
      assertThat(welcome.statusCode()).isEqualTo(200);
      assertThat(welcome.body()).contains("\"couchdb\":\"Welcome\"");
      assertThat(welcome.version()).isIn(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2);
      assertThat(get(client, "https://localhost:" + server.port() + "/_all_dbs").statusCode()).isEqualTo(200);
      assertThat(get(client, "https://127.0.0.1:" + server.port() + "/v1/").body()).contains("\"project_name\"");

      // A client that does not trust it refuses, and plain HTTP gets no answer.
      HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      assertThatThrownBy(() -> get(defaults, "https://127.0.0.1:" + server.port() + "/"))
          .isInstanceOf(SSLHandshakeException.class);
      assertThatThrownBy(() -> get(defaults, "http://127.0.0.1:" + server.port() + "/"))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void pemFiles_areServed() throws Exception {
    SelfSignedCertificate made = SelfSignedCertificate.generate("127.0.0.1");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + pem.encodeToString(made.certificate().getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + pem.encodeToString(made.privateKey().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");

    try (Server server = Server.start(options(TlsOptions.pem(cert, key)), System.out)) {
      assertThat(server.certificate()).contains(made.certificate());
      assertThat(get(trusting(made.certificate()), "https://127.0.0.1:" + server.port() + "/_all_dbs").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void halfOrBrokenConfiguration_isRefused() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    assertThatThrownBy(() -> Server.start(options(new TlsOptions(Optional.of(cert), Optional.empty(), false)),
        System.out)).isInstanceOf(StartupException.class).hasMessageContaining("go together");
    assertThatThrownBy(() -> Server.start(options(new TlsOptions(Optional.of(cert), Optional.of(key), true)),
        System.out)).isInstanceOf(StartupException.class).hasMessageContaining("exclude each other");
    assertThatThrownBy(() -> Server.start(options(TlsOptions.pem(cert, key)), System.out))
        .isInstanceOf(StartupException.class).hasMessageContaining("cannot read");
    Files.writeString(cert, "not a certificate\n");
    Files.writeString(key, "not a key\n");
    assertThatThrownBy(() -> Server.start(options(TlsOptions.pem(cert, key)), System.out))
        .isInstanceOf(StartupException.class).hasMessageContaining("--tls-cert/--tls-key");
  }
}
