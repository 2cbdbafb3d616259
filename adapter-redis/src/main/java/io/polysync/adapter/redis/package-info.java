/**
 * The Redis storage adapter, on Lettuce.
 *
 * <p>Only {@link io.polysync.adapter.redis.RedisStorageProvider} is public; it is found with {@link
 * java.util.ServiceLoader} for {@code redis://} and {@code rediss://} URIs. Every read and write is
 * one Lua script (EVALSHA, loaded again with EVAL when the server lost it), so each call is one
 * atomic step on the server: a write batch does its compare-and-sets, allocates sequence numbers
 * and timestamps (the server's {@code TIME}, at least one above the last), stores the documents,
 * moves them in the changes feed (a sorted set scored by sequence), updates the counters and
 * publishes the change signal, with nothing else running in between. That serialization is what
 * keeps the feed gap-free across processes. Namespaces are registered by name and keyed by an id,
 * and every script first checks that the id it was given is still the name's, so a dropped
 * namespace is never written to. The keyspace is described in {@code RedisKeys} and in {@code
 * docs/adapters/redis.md}.
 */
package io.polysync.adapter.redis;
