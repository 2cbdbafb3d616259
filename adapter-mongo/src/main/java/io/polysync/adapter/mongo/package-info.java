/**
 * The MongoDB storage adapter, on the MongoDB Java driver's synchronous API.
 *
 * <p>Only {@link io.polysync.adapter.mongo.MongoStorageProvider} is public; it is found with {@link
 * java.util.ServiceLoader}. A namespace is a document of {@code polysync_namespaces} holding its
 * committed counters ({@code lastSeq} is the changes feed's watermark) and its write lease;
 * documents, local documents, blobs and value chunks live in collections of their own under the
 * namespace's uid. Batches are made atomic per namespace by a multi-document transaction where the
 * server has them ({@code MongoTransactionWriter}) and by a write lease with a committed watermark
 * where it has not ({@code MongoLeaseWriter}); both keep every invariant of the SPI. Ids and names
 * are stored and indexed as the hex of their UTF-8 bytes, so every server and collation orders them
 * by code point.
 */
package io.polysync.adapter.mongo;
