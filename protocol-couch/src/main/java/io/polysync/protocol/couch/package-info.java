/**
 * The CouchDB front-end: the replication protocol and document API that PouchDB and CouchDB's own
 * replicator speak, served at the root path over the engine's public API.
 *
 * <p>Routing is done here on the raw request path rather than with Helidon's path patterns,
 * because CouchDB names may hold an encoded {@code /} ({@code a%2Fb} is one database) while
 * {@code _design/x} and {@code _local/x} keep a literal one, and Helidon decodes {@code %2F}
 * before matching. Errors are rendered in this package too, by one table ({@link
 * io.polysync.protocol.couch.CouchErrors}), so every answer is CouchDB's {@code {"error","reason"}}.
 */
package io.polysync.protocol.couch;
