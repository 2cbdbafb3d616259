package io.polysync.adapter.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts that do every read and write, so that each call is one atomic step on the
 * server. Redis runs one script at a time and nothing else meanwhile, which is what serializes
 * writers of a namespace from sequence allocation to visibility, across processes.
 *
 * <p>Conventions: {@code KEYS} are {@link RedisKeys#namespace}'s keys in order ({@code KEYS[1]}
 * the registry); {@code ARGV[1]} is the namespace name and {@code ARGV[2]} the id the caller
 * believes it has. Every script but {@link #CREATE} first checks that belief and answers {@code
 * {0, current id or ''}} when it is wrong (the namespace was dropped, or dropped and created
 * again), before touching anything. Otherwise the first element is a status of the script's own,
 * 1 meaning done. Numbers are formatted with {@code %d}, since Lua's default number format turns
 * large integers into exponents.
 */
enum RedisScripts {
  /**
   * A batch of conditional writes. {@code ARGV[3]} is the change channel; then per item {@code id,
   * expectedSeq, deleted (0|1), stagedKey (0 or an index into KEYS), payload}. Answers {@code {1,
   * seq, ts, ...}} with {@code seq, ts} per written item and {@code 0, currentSeq} per conflict, or
   * {@code {2}} when a staged state is gone (nothing written). The timestamp is the server's clock
   * ({@code TIME}), at least one above the namespace's last, so it increases strictly whatever the
   * writers' clocks say.
   */
  WRITE(
      """
      for k = 11, #KEYS do
        if redis.call('EXISTS', KEYS[k]) == 0 then return {2} end
      end
      local info = redis.call('HMGET', KEYS[3], 'seq', 'ts', 'live', 'deleted')
      local seq = tonumber(info[1]) or 0
      local ts = tonumber(info[2]) or 0
      local live = tonumber(info[3]) or 0
      local dead = tonumber(info[4]) or 0
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local out = {1}
      local wrote = false
      for i = 4, #ARGV, 5 do
        local id = ARGV[i]
        local score = redis.call('ZSCORE', KEYS[6], id)
        local current = score and tonumber(score) or 0
        if current ~= tonumber(ARGV[i + 1]) then
          out[#out + 1] = 0
          out[#out + 1] = current
        else
          seq = seq + 1
          if now > ts then ts = now else ts = ts + 1 end
          local payload = ARGV[i + 4]
          local staged = tonumber(ARGV[i + 3])
          if staged > 0 then payload = redis.call('GET', KEYS[staged]) end
          redis.call('HSET', KEYS[5], id, string.format('%d:%d:', seq, ts) .. payload)
          redis.call('ZADD', KEYS[6], string.format('%d', seq), id)
          if current > 0 then
            if redis.call('ZREM', KEYS[7], id) == 1 then
              live = live - 1
            elseif redis.call('ZREM', KEYS[8], id) == 1 then
              dead = dead - 1
            end
          end
          if ARGV[i + 2] == '1' then
            redis.call('ZADD', KEYS[8], 0, id)
            dead = dead + 1
          else
            redis.call('ZADD', KEYS[7], 0, id)
            live = live + 1
          end
          out[#out + 1] = seq
          out[#out + 1] = ts
          wrote = true
        end
      end
      for k = 11, #KEYS do redis.call('DEL', KEYS[k]) end
      if wrote then
        redis.call('HSET', KEYS[3], 'seq', string.format('%d', seq), 'ts', string.format('%d', ts),
            'live', string.format('%d', live), 'deleted', string.format('%d', dead))
        redis.call('PUBLISH', ARGV[3], string.format('%d', seq))
      end
      return out
      """),

  /** {@code ARGV[3]} a document id: {@code {1, value or nil}}. */
  GET("return {1, redis.call('HGET', KEYS[5], ARGV[3])}"),

  /** {@code ARGV[3..]} document ids: {@code {1, {value or nil, ...}}}. */
  GET_ALL(
      """
      local ids = {}
      for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
      return {1, hmget(KEYS[5], ids)}
      """),

  /**
   * Ids in byte order from the live set and, when asked, the deleted set: {@code ARGV[3..4]} the
   * bounds in the command's order, {@code ARGV[5]} descending (0|1), {@code ARGV[6]} include
   * deleted (0|1), {@code ARGV[7]} the limit. Answers {@code {1, liveIds, liveValues, deletedIds,
   * deletedValues}}; the caller merges the two (Lua compares strings by the server's locale).
   */
  RANGE(
      """
      local cmd = ARGV[5] == '1' and 'ZREVRANGEBYLEX' or 'ZRANGEBYLEX'
      local live = redis.call(cmd, KEYS[7], ARGV[3], ARGV[4], 'LIMIT', 0, ARGV[7])
      local dead = {}
      if ARGV[6] == '1' then
        dead = redis.call(cmd, KEYS[8], ARGV[3], ARGV[4], 'LIMIT', 0, ARGV[7])
      end
      return {1, live, hmget(KEYS[5], live), dead, hmget(KEYS[5], dead)}
      """),

  /**
   * Documents by sequence: {@code ARGV[3..4]} the score bounds in the command's order, {@code
   * ARGV[5]} descending (0|1), {@code ARGV[6]} the limit. Answers {@code {1, ids, values}}.
   */
  CHANGES(
      """
      local cmd = ARGV[5] == '1' and 'ZREVRANGEBYSCORE' or 'ZRANGEBYSCORE'
      local ids = redis.call(cmd, KEYS[6], ARGV[3], ARGV[4], 'LIMIT', 0, ARGV[6])
      return {1, ids, hmget(KEYS[5], ids)}
      """),

  /** {@code {1, info pairs, metadata pairs}}. */
  INFO("return {1, redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4])}"),

  /**
   * Creates namespace {@code ARGV[1]} with the id {@code ARGV[2]} (already allocated) and the
   * metadata pairs {@code ARGV[3..]}: {@code {1}}, or {@code {3}} if the name exists.
   */
  CREATE(
      """
      if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return {3} end
      for k = 3, 10 do redis.call('UNLINK', KEYS[k]) end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      redis.call('ZADD', KEYS[2], 0, ARGV[1])
      redis.call('HSET', KEYS[3], 'seq', '0', 'ts', '0', 'live', '0', 'deleted', '0')
      for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
      return {1}
      """,
      false),

  /** Unregisters the namespace and unlinks its keys (Redis frees them in the background). */
  DROP(
      """
      redis.call('HDEL', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      for k = 3, 10 do redis.call('UNLINK', KEYS[k]) end
      return {1}
      """),

  /** Sets ({@code ARGV[4]} = 1) or removes metadata key {@code ARGV[3]}; answers as {@link #INFO}. */
  PUT_METADATA(
      """
      if ARGV[4] == '1' then
        redis.call('HSET', KEYS[4], ARGV[3], ARGV[5])
      else
        redis.call('HDEL', KEYS[4], ARGV[3])
      end
      return {1, redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4])}
      """),

  /** {@code ARGV[3]} a local id: {@code {1, value or nil}}. */
  LOCAL_GET("return {1, redis.call('HGET', KEYS[9], ARGV[3])}"),

  /** Every local document: {@code {1, {id, value, id, value, ...}}}, in no order. */
  LOCAL_ALL("return {1, redis.call('HGETALL', KEYS[9])}"),

  /**
   * Writes local {@code ARGV[3]} with body {@code ARGV[5]} if its version is {@code ARGV[4]}:
   * {@code {1, newVersion}} or {@code {2, currentVersion}}.
   */
  LOCAL_PUT(
      """
      local v = localVersion(KEYS[9], ARGV[3])
      if v ~= tonumber(ARGV[4]) then return {2, v} end
      v = v + 1
      redis.call('HSET', KEYS[9], ARGV[3], string.format('%d:', v) .. ARGV[5])
      return {1, v}
      """),

  /** Deletes local {@code ARGV[3]} if its version is {@code ARGV[4]}: {@code {1}} or {@code {2, v}}. */
  LOCAL_DELETE(
      """
      local v = localVersion(KEYS[9], ARGV[3])
      if v == 0 or v ~= tonumber(ARGV[4]) then return {2, v} end
      redis.call('HDEL', KEYS[9], ARGV[3])
      return {1}
      """),

  /** Stores blob {@code ARGV[3]} = {@code ARGV[4]}. */
  BLOB_PUT("redis.call('HSET', KEYS[10], ARGV[3], ARGV[4]) return {1}"),

  /** {@code {1, bytes or nil}}. */
  BLOB_GET("return {1, redis.call('HGET', KEYS[10], ARGV[3])}"),

  /** {@code {1, 1 if it existed else 0}}. */
  BLOB_DELETE("return {1, redis.call('HDEL', KEYS[10], ARGV[3])}");

  /** Helpers every script may use. */
  private static final String FUNCTIONS =
      """
      local function hmget(key, ids)
        local out = {}
        for i = 1, #ids, 1000 do
          local chunk = redis.call('HMGET', key, unpack(ids, i, math.min(i + 999, #ids)))
          for j = 1, #chunk do out[#out + 1] = chunk[j] end
        end
        return out
      end
      local function localVersion(key, id)
        local cur = redis.call('HGET', key, id)
        if not cur then return 0 end
        return tonumber(string.sub(cur, 1, string.find(cur, ':', 1, true) - 1))
      end
      """;

  private static final String CHECK_NAMESPACE =
      """
      local nsid = redis.call('HGET', KEYS[1], ARGV[1])
      if nsid ~= ARGV[2] then return {0, nsid or ''} end
      """;

  private final String source;
  private final String sha;

  RedisScripts(String body) {
    this(body, true);
  }

  RedisScripts(String body, boolean checkNamespace) {
    this.source = FUNCTIONS + (checkNamespace ? CHECK_NAMESPACE : "") + body;
    this.sha = sha1(source);
  }

  String source() {
    return source;
  }

  /** The SHA-1 Redis knows the script by. */
  String sha() {
    return sha;
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
