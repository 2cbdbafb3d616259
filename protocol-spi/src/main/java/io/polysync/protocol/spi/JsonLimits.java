package io.polysync.protocol.spi;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bounds on the JSON a request may carry, from the server's {@code limits.json.*} settings. Every
 * front-end applies them while it parses a body (with Jackson's {@code StreamReadConstraints}; this
 * contract names no JSON library).
 *
 * @param maxDepth {@code limits.json.max_depth}: how deeply arrays and objects may nest
 * @param maxStringLength {@code limits.json.max_string_length}: the longest string value, in
 *     characters; 0 leaves it to the request body limit (CouchDB clients send attachments inline as
 *     base64 strings, so a string may be almost as large as the body)
 * @param maxNumberLength {@code limits.json.max_number_length}: the longest number, in characters
 * @param maxNameLength {@code limits.json.max_name_length}: the longest property name, in characters
 */
public record JsonLimits(int maxDepth, int maxStringLength, int maxNumberLength, int maxNameLength) {
  public static final int DEFAULT_MAX_DEPTH = 200;
  public static final int DEFAULT_MAX_NUMBER_LENGTH = 100;
  public static final int DEFAULT_MAX_NAME_LENGTH = 50_000;
  private static final Pattern SOURCE = Pattern.compile(",? ?from `[^`]*`");

  public JsonLimits {
    if (maxDepth < 1 || maxStringLength < 0 || maxNumberLength < 1 || maxNameLength < 1) {
      throw new IllegalArgumentException("JSON limits must be positive: depth " + maxDepth + ", string "
          + maxStringLength + ", number " + maxNumberLength + ", name " + maxNameLength);
    }
  }

  /** The limits the settings give, with the defaults above for the ones they leave out. */
  public static JsonLimits fromSettings(Map<String, String> settings) {
    return new JsonLimits(
        intSetting(settings, "limits.json.max_depth", DEFAULT_MAX_DEPTH),
        intSetting(settings, "limits.json.max_string_length", 0),
        intSetting(settings, "limits.json.max_number_length", DEFAULT_MAX_NUMBER_LENGTH),
        intSetting(settings, "limits.json.max_name_length", DEFAULT_MAX_NAME_LENGTH));
  }

  /**
   * The longest string for a front-end whose bodies may be {@code maxRequestBytes} long: an unset
   * string limit becomes the body limit (capped at what a Java string can hold).
   */
  public int effectiveMaxStringLength(long maxRequestBytes) {
    return maxStringLength > 0 ? maxStringLength : (int) Math.min(Integer.MAX_VALUE - 16, maxRequestBytes);
  }

  /**
   * What a client is told when its JSON broke a limit: the parser's sentence without the name of
   * the Java method it quotes, e.g. "Document nesting depth (201) exceeds the maximum allowed (200)".
   */
  public static String describe(String parserMessage) {
    String message = parserMessage == null ? "" : parserMessage;
    String clean = SOURCE.matcher(message).replaceAll("").trim();
    if (clean.isEmpty() || clean.contains("`") || clean.contains("StreamReadConstraints")) {
      return "The JSON exceeds the server's limits on nesting, string, number or name length";
    }
    return clean;
  }

  private static int intSetting(Map<String, String> settings, String key, int fallback) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + key + " is not a whole number: " + value, e);
    }
  }
}
