/**
 * The reference storage adapter, in memory ({@code memory:NAME}). It implements the whole SPI with
 * one lock per namespace and is what the engine's unit tests run on; the compliance kit runs
 * against it in this module, and deliberately broken variants of it prove the kit can fail.
 */
package io.polysync.spi.tck.memory;
