/**
 * The plugin contract of a wire-protocol front-end (CouchDB, Kinto, ...): a {@link
 * io.polysync.protocol.spi.ProtocolFrontEnd} found with {@link java.util.ServiceLoader} mounts its
 * routes into the Helidon SE server and talks to storage only through the engine's public API.
 * Authentication is a plugin too: an {@link io.polysync.protocol.spi.HttpAuthenticatorProvider}
 * makes an {@link io.polysync.protocol.spi.HttpAuthenticator} of request headers from the settings,
 * and every front-end asks the same chain, so a credential works for every protocol.
 *
 * <p>The design places this SPI in the engine, but the engine must stay free of any HTTP server
 * library; a front-end's natural unit is a set of Helidon routes, so the contract lives in this
 * small module that depends on the engine and Helidon's webserver API and nothing else.
 */
package io.polysync.protocol.spi;
