package io.polysync.bootstrap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The two formats of the server's log lines ({@code --log-format}), as java.util.logging
 * formatters: the project logs through {@link System.Logger}, which the JDK sends to
 * java.util.logging, so every library that logs that way (Helidon too) gets the same format.
 */
enum LogFormat {
  /**
   * One line per message: time, level, logger, the request id in brackets when the message was
   * written while serving a request, the message; a stack trace follows on the next lines.
   */
  TEXT {
    @Override
    Formatter formatter() {
      return new Formatter() {
        private final DateTimeFormatter time = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord record) {
          StringBuilder out = new StringBuilder(128);
          out.append(time.format(record.getInstant())).append(' ').append(record.getLevel().getLocalizedName())
              .append(' ').append(record.getLoggerName());
          RequestIds.current().ifPresent(id -> out.append(" [").append(id).append(']'));
          out.append(": ").append(formatMessage(record));
          if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
            out.append(System.lineSeparator()).append(trace.toString().stripTrailing());
          }
          return out.append(System.lineSeparator()).toString();
        }
      };
    }
  },
  /**
   * One JSON object per line: {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger},
   * {@code message}, {@code request_id} when known; with an exception, {@code exception} (its class)
   * and {@code exception_message}, and {@code stack_trace} only at WARNING and above: failures a
   * client caused (a dropped connection, bad input) are logged below that and their stack traces
   * say nothing an operator needs.
   */
  JSON {
    @Override
    Formatter formatter() {
      return new Formatter() {
        private final JsonFactory json = new JsonFactory();

        @Override
        public String format(LogRecord record) {
          StringWriter out = new StringWriter(256);
          try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
            g.writeStringField("level", levelName(record.getLevel()));
            g.writeStringField("logger", record.getLoggerName());
            g.writeStringField("message", formatMessage(record));
            Optional<String> id = RequestIds.current();
            if (id.isPresent()) {
              g.writeStringField("request_id", id.get());
            }
            Throwable thrown = record.getThrown();
            if (thrown != null) {
              g.writeStringField("exception", thrown.getClass().getName());
              if (thrown.getMessage() != null) {
                g.writeStringField("exception_message", thrown.getMessage());
              }
              if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new java.io.PrintWriter(trace));
                g.writeStringField("stack_trace", trace.toString());
              }
            }
            g.writeEndObject();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return out.append('\n').toString();
        }
      };
    }
  };

  abstract Formatter formatter();

  /** The value of {@code --log-format}, or empty when it is neither {@code text} nor {@code json}. */
  static Optional<LogFormat> parse(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "text" -> Optional.of(TEXT);
      case "json" -> Optional.of(JSON);
      default -> Optional.empty();
    };
  }

  /** System.Logger's names (what the code says), not java.util.logging's FINE and SEVERE. */
  static String levelName(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    } else if (v >= Level.WARNING.intValue()) {
      return "WARNING";
    } else if (v >= Level.INFO.intValue()) {
      return "INFO";
    } else if (v >= Level.FINE.intValue()) {
      return "DEBUG";
    }
    return "TRACE";
  }
}
