package io.polysync.spi.tck.memory;

import io.polysync.spi.ChangeSignals;
import io.polysync.spi.Names;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** One named database shared by every storage opened on it; the "server" of the memory adapter. */
final class MemoryDatabase {
  final String name;
  // Guarded by itself: creating and dropping namespaces are rare, lookups take the lock briefly.
  private final TreeMap<String, MemoryNamespace> namespaces = new TreeMap<>(Names::compare);
  private final Map<String, List<ChangeSignals.Listener>> listeners = new ConcurrentHashMap<>();
  /** Where committed changes are logged; replaced once, after a replay, before any use. */
  volatile MemoryJournal journal = MemoryJournal.NONE;

  MemoryDatabase(String name) {
    this.name = name;
  }

  MemoryNamespace create(String namespace, Map<String, String> metadata) {
    Names.checkNamespace(namespace);
    synchronized (namespaces) {
      if (namespaces.containsKey(namespace)) {
        throw new SyncException(StorageError.NAMESPACE_EXISTS, "namespace exists: " + namespace);
      }
      MemoryNamespace created = new MemoryNamespace(this, namespace, metadata);
      namespaces.put(namespace, created);
      journal.created(namespace, metadata);
      return created;
    }
  }

  Optional<MemoryNamespace> find(String namespace) {
    synchronized (namespaces) {
      return Optional.ofNullable(namespaces.get(namespace));
    }
  }

  MemoryNamespace require(String namespace) {
    return find(namespace)
        .orElseThrow(
            () ->
                new SyncException(
                    StorageError.NAMESPACE_NOT_FOUND, "no such namespace: " + namespace));
  }

  void drop(String namespace) {
    MemoryNamespace dropped;
    synchronized (namespaces) {
      dropped = namespaces.remove(namespace);
      if (dropped != null) {
        journal.dropped(namespace);
      }
    }
    if (dropped == null) {
      throw new SyncException(StorageError.NAMESPACE_NOT_FOUND, "no such namespace: " + namespace);
    }
    dropped.markDropped();
  }

  List<NamespaceInfo> list(String afterName, int limit) {
    List<MemoryNamespace> page = new ArrayList<>();
    synchronized (namespaces) {
      for (MemoryNamespace ns : namespaces.tailMap(afterName, false).values()) {
        if (page.size() >= limit) {
          break;
        }
        page.add(ns);
      }
    }
    List<NamespaceInfo> infos = new ArrayList<>();
    for (MemoryNamespace ns : page) {
      ns.infoIfLive().ifPresent(infos::add);
    }
    return infos;
  }

  void addListener(String namespace, ChangeSignals.Listener listener) {
    listeners.computeIfAbsent(namespace, k -> new CopyOnWriteArrayList<>()).add(listener);
  }

  void removeListener(String namespace, ChangeSignals.Listener listener) {
    List<ChangeSignals.Listener> list = listeners.get(namespace);
    if (list != null) {
      list.remove(listener);
    }
  }

  /** Called after a commit, outside every lock, so a listener that reads back sees the commit. */
  void signal(String namespace, long seq) {
    List<ChangeSignals.Listener> list = listeners.get(namespace);
    if (list == null) {
      return;
    }
    for (ChangeSignals.Listener listener : list) {
      try {
        listener.changed(namespace, seq);
      } catch (RuntimeException e) {
        // A faulty listener must not fail the write that already committed, nor starve others.
        System.err.println("memory storage: a change listener failed: " + e);
      }
    }
  }
}
