package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS: a certificate chain and its private key from PEM files, or a self-signed certificate made
 * at start for development, or neither (plain HTTP).
 *
 * @param certificate the PEM certificate chain, the server's certificate first
 * @param privateKey the PEM private key of that certificate (PKCS#8, or PKCS#1 RSA; not encrypted)
 * @param selfSigned whether to make a self-signed certificate at start instead
 */
record TlsOptions(Optional<Path> certificate, Optional<Path> privateKey, boolean selfSigned) {
  TlsOptions {
    requireNonNull(certificate, "certificate is null");
    requireNonNull(privateKey, "privateKey is null");
  }

  static TlsOptions none() {
    return new TlsOptions(Optional.empty(), Optional.empty(), false);
  }

  static TlsOptions selfSignedForDevelopment() {
    return new TlsOptions(Optional.empty(), Optional.empty(), true);
  }

  static TlsOptions pem(Path certificate, Path privateKey) {
    return new TlsOptions(Optional.of(certificate), Optional.of(privateKey), false);
  }

  boolean enabled() {
    return selfSigned || certificate.isPresent();
  }

  /** Refuses half a configuration, both kinds at once, and files that cannot be read. */
  void check() {
    if (selfSigned && (certificate.isPresent() || privateKey.isPresent())) {
      throw new StartupException("--tls-self-signed and --tls-cert/--tls-key exclude each other");
    }
    if (certificate.isPresent() != privateKey.isPresent()) {
      throw new StartupException("--tls-cert and --tls-key go together");
    }
    for (Path p : certificate.stream().toList()) {
      if (!Files.isReadable(p)) {
        throw new StartupException("--tls-cert: cannot read " + p);
      }
    }
    for (Path p : privateKey.stream().toList()) {
      if (!Files.isReadable(p)) {
        throw new StartupException("--tls-key: cannot read " + p);
      }
    }
  }
}
