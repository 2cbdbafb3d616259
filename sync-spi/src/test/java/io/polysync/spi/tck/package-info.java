/**
 * The storage compliance kit (TCK): the SPI's contract as executable tests. Each part is an
 * abstract JUnit 5 class ({@link io.polysync.spi.tck.NamespacesTck}, {@link
 * io.polysync.spi.tck.DocumentsTck}, {@link io.polysync.spi.tck.ChangesTck}, {@link
 * io.polysync.spi.tck.LocalsTck}, {@link io.polysync.spi.tck.BlobsTck}, {@link
 * io.polysync.spi.tck.BadInputTck}, {@link io.polysync.spi.tck.QueryTck}, {@link
 * io.polysync.spi.tck.SignalsTck}, {@link io.polysync.spi.tck.ConcurrencyTck}, {@link
 * io.polysync.spi.tck.MultiInstanceTck}, {@link io.polysync.spi.tck.DurabilityTck}) that an adapter
 * module subclasses once per backend, implementing only {@link
 * io.polysync.spi.tck.StorageTck#config()}. An adapter is correct when it passes every part; the
 * kit proves it can fail by running against deliberately broken storages in its own tests.
 */
package io.polysync.spi.tck;
