package io.polysync.protocol.kinto;

import io.polysync.protocol.spi.FrontEndContext;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The front-end's settings, from the server's {@code kinto.*} keys.
 *
 * @param batchMaxRequests {@code kinto.batch_max_requests}: the most sub-requests of one {@code /batch} (25)
 * @param bucketCreatePrincipals {@code kinto.bucket_create_principals}: who may create buckets
 *     besides server admins (comma-separated; none by default)
 * @param accountCreatePrincipals {@code kinto.account_create_principals}: who may sign up
 *     ({@code system.Everyone} by default)
 * @param backoffSeconds {@code kinto.backoff}: sent as {@code Backoff} on every answer when positive
 * @param readonly {@code kinto.readonly}: only reads are allowed
 * @param baseUrl {@code kinto.http_base}: the absolute URL of {@code /v1} for {@code Next-Page}
 *     behind a proxy; by default from the request's {@code Host}
 * @param history {@code kinto.history}: keep the history of changes per bucket (off by default)
 * @param historyMaxAgeDays {@code kinto.history.max_age_days}: prune older entries (0 keeps all)
 * @param permissionsEndpoint {@code kinto.experimental_permissions_endpoint}: serve {@code
 *     /permissions} (off by default, as in Kinto)
 */
record KintoSettings(
    int batchMaxRequests, List<String> bucketCreatePrincipals, List<String> accountCreatePrincipals,
    int backoffSeconds, boolean readonly, Optional<String> baseUrl, Optional<RecordValidator> validator,
    boolean history, long historyMaxAgeDays, boolean permissionsEndpoint) {

  /** Checks an object about to be written (any level) against the JSON schemas that apply to it. */
  interface RecordValidator {
    void validate(Catalog catalog, KintoApi.Target target, com.fasterxml.jackson.databind.node.ObjectNode fields);
  }

  KintoSettings {
    bucketCreatePrincipals = List.copyOf(bucketCreatePrincipals);
    accountCreatePrincipals = List.copyOf(accountCreatePrincipals);
  }

  static KintoSettings from(FrontEndContext context, Optional<RecordValidator> validator) {
    return new KintoSettings(
        (int) context.longSetting("kinto.batch_max_requests", 25),
        list(context.setting("kinto.bucket_create_principals").orElse("")),
        list(context.setting("kinto.account_create_principals").orElse("system.Everyone")),
        (int) context.longSetting("kinto.backoff", 0),
        Boolean.parseBoolean(context.setting("kinto.readonly").orElse("false")),
        context.setting("kinto.http_base").map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s),
        validator,
        Boolean.parseBoolean(context.setting("kinto.history").orElse("false")),
        context.longSetting("kinto.history.max_age_days", 0),
        Boolean.parseBoolean(context.setting("kinto.experimental_permissions_endpoint").orElse("false")));
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
