/**
 * The runnable server and its command line: {@code serve}, and the maintenance commands for keys,
 * users, namespaces, backups and integrity checks, which open the storage as the server does.
 * Gathers its configuration from the command line, the environment and {@code polysync.yaml}
 * (every key in {@code ConfigKeys}), finds every storage adapter and protocol front-end with
 * {@link java.util.ServiceLoader}, opens the storage, keeps the server's own records (its id, the
 * admin account, the session key) and starts Helidon SE with every front-end's routes. The only
 * module that knows the others; nothing depends on it.
 */
package io.polysync.bootstrap;
