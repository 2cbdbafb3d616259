package io.polysync.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A self-signed certificate for development ({@code --tls-self-signed}): an EC P-256 key and an
 * X.509 v3 certificate signed with it, valid for 30 days, naming {@code localhost}, the loopback
 * addresses and the host the server listens on. The JDK can sign but has no public API to build a
 * certificate, so the few DER structures are written here rather than bringing in a library.
 */
record SelfSignedCertificate(PrivateKey privateKey, X509Certificate certificate) {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] ECDSA_WITH_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
  private static final byte[] COMMON_NAME = oid(2, 5, 4, 3);
  private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);
  private static final byte[] BASIC_CONSTRAINTS = oid(2, 5, 29, 19);

  /** A fresh key and certificate for {@code host} (besides localhost and the loopback addresses). */
  static SelfSignedCertificate generate(String host) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair pair = generator.generateKeyPair();
      byte[] algorithm = sequence(ECDSA_WITH_SHA256);
      byte[] name = sequence(set(sequence(COMMON_NAME, tlv(0x0C, "Polysync development".getBytes(StandardCharsets.UTF_8)))));
      Instant now = Instant.now();
      byte[] validity = sequence(utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(Duration.ofDays(30))));
      byte[] serial = new byte[16];
      RANDOM.nextBytes(serial);
      serial[0] &= 0x7F;
      byte[] extensions = tlv(0xA3, sequence(
          sequence(SUBJECT_ALT_NAME, tlv(0x04, sequence(altNames(host)))),
          sequence(BASIC_CONSTRAINTS, tlv(0x04, sequence()))));
      byte[] tbs = sequence(
          tlv(0xA0, integer(BigInteger.TWO)),
          integer(new BigInteger(1, serial)),
          algorithm,
          name,
          validity,
          name,
          pair.getPublic().getEncoded(),
          extensions);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(pair.getPrivate());
      signer.update(tbs);
      byte[] signature = signer.sign();
      byte[] bitString = new byte[signature.length + 1];
      System.arraycopy(signature, 0, bitString, 1, signature.length);
      byte[] der = sequence(tbs, algorithm, tlv(0x03, bitString));
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      certificate.verify(pair.getPublic());
      return new SelfSignedCertificate(pair.getPrivate(), certificate);
    } catch (GeneralSecurityException e) {
      throw new StartupException("cannot make a self-signed certificate: " + e.getMessage(), e);
    }
  }

  /** {@code AB:CD:...}, as browsers and {@code openssl x509 -fingerprint -sha256} show it. */
  static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[][] altNames(String host) {
    Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
    Set<InetAddress> ips = new LinkedHashSet<>();
    try {
      ips.add(InetAddress.getByName("127.0.0.1"));
      ips.add(InetAddress.getByName("::1"));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    if (host.matches("[0-9.]+") || host.contains(":")) {
      try {
        InetAddress address = InetAddress.getByName(host);
        if (!address.isAnyLocalAddress()) {
          ips.add(address);
        }
      } catch (UnknownHostException e) {
        // not an address after all: left out
      }
    } else if (!host.isBlank()) {
      dns.add(host);
    }
    byte[][] out = new byte[dns.size() + ips.size()][];
    int i = 0;
    for (String d : dns) {
      out[i++] = tlv(0x82, d.getBytes(StandardCharsets.US_ASCII));
    }
    for (InetAddress a : ips) {
      out[i++] = tlv(0x87, a.getAddress());
    }
    return out;
  }

  // ---------------------------------------------------------------- DER

  private static byte[] utcTime(Instant at) {
    return tlv(0x17, UTC_TIME.format(at).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  private static byte[] sequence(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int arc = arcs[i];
      int shift = 28;
      while (shift > 0 && (arc >>> shift) == 0) {
        shift -= 7;
      }
      for (; shift > 0; shift -= 7) {
        out.write(0x80 | ((arc >>> shift) & 0x7F));
      }
      out.write(arc & 0x7F);
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >>> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >>> 16);
      out.write(n >>> 8);
      out.write(n);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
