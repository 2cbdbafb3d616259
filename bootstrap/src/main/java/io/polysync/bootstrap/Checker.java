package io.polysync.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.Document;
import io.polysync.engine.OpenRevResult;
import io.polysync.engine.ReadOptions;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.User;
import io.polysync.spi.Capability;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Reads every document of a namespace the way a replicator would and reports what is wrong:
 * a state that cannot be decoded or opened (altered ciphertext, a missing data key), a leaf
 * without its body, a revision path that does not lead to its leaf, a winner other than the one
 * CouchDB's rule picks, attachment bytes that do not match their digest or length, sequence
 * numbers that do not increase or pass the namespace's, and counters that disagree with the
 * documents. Safe while servers write: a namespace written to during the check is not held to
 * its counters.
 */
final class Checker {
  /** Problems listed per namespace; the rest are counted. */
  static final int MAX_LISTED = 100;
  /** The user store's namespace: its local documents are the accounts. */
  static final String USERS = "_users";

  private final SyncEngine engine;

  /** One namespace's findings. */
  record Report(String namespace, long docs, long live, long deleted, long leaves, long conflicts,
      long attachments, long locals, List<String> problems, long problemCount, boolean writtenMeanwhile) {}

  Checker(SyncEngine engine) {
    this.engine = engine;
  }

  Report check(String name, Progress progress) {
    Database db = engine.database(name);
    DatabaseInfo before = db.info();
    List<String> problems = new ArrayList<>();
    long[] problemCount = {0};
    Reporter report = message -> {
      problemCount[0]++;
      if (problems.size() < MAX_LISTED) {
        problems.add(message);
      }
    };
    long docs = 0;
    long live = 0;
    long deleted = 0;
    long leaves = 0;
    long conflicts = 0;
    long attachments = 0;
    long since = 0;
    long previousSeq = 0;
    Set<String> seen = new HashSet<>();
    while (true) {
      ChangesResult page;
      try {
        // The winner alone: the feed then reads only the clear columns, so one damaged state does not
        // hide the documents after it; each document's leaves are read below, one by one.
        page = db.changes(ChangesOptions.since(since).withLimit(Exporter.PAGE));
      } catch (SyncException e) {
        report.add("the changes feed after sequence " + since + " cannot be read: " + e.getMessage());
        break;
      }
      for (ChangesResult.Row row : page.results()) {
        progress.step();
        docs++;
        if (row.seq() <= previousSeq) {
          report.add("document " + row.id() + ": sequence " + row.seq() + " comes after " + previousSeq);
        }
        previousSeq = Math.max(previousSeq, row.seq());
        if (!seen.add(row.id())) {
          report.add("document " + row.id() + ": listed twice in the changes feed");
        }
        if (row.deleted()) {
          deleted++;
        } else {
          live++;
        }
        List<OpenRevResult> results;
        try {
          results = db.openAllRevs(row.id(), ReadOptions.defaults().withRevs(true).withAttachments(true));
        } catch (SyncException e) {
          report.add("document " + row.id() + ": cannot be read: " + e.getMessage());
          continue;
        }
        List<Document> found = new ArrayList<>();
        for (OpenRevResult r : results) {
          switch (r) {
            case OpenRevResult.Found f -> found.add(f.document());
            case OpenRevResult.Missing m -> report.add("document " + row.id() + ": the leaf " + m.rev()
                + " has no body");
            case OpenRevResult.Failed f -> report.add("document " + row.id() + ": " + f.reason());
          }
        }
        leaves += results.size();
        conflicts += found.stream().filter(d -> !d.deleted()).count() > 1
            ? found.stream().filter(d -> !d.deleted()).count() - 1 : 0;
        if (found.isEmpty()) {
          continue;
        }
        ObjectNode line = Backup.JSON.createObjectNode().put("id", row.id());
        found.forEach(d -> line.withArray("leaves").add(d.json()));
        try {
          Backup.checkDocument(line);
        } catch (Backup.BadLine e) {
          report.add(e.getMessage());
        }
        for (Document d : found) {
          JsonNode atts = d.json().get("_attachments");
          attachments += atts == null ? 0 : atts.size();
          if (d.seq() != row.seq() && before.updateSeq() == db.info().updateSeq()) {
            report.add("document " + row.id() + ": stored at sequence " + d.seq() + ", listed at " + row.seq());
          }
        }
        if (found.size() == results.size()) {
          Document winner = found.stream().max(WINNER).orElseThrow();
          if (!found.get(0).rev().equals(winner.rev()) || !row.changes().get(0).equals(winner.rev())) {
            report.add("document " + row.id() + ": the winner is " + found.get(0).rev() + " (listed "
                + row.changes().get(0) + "), CouchDB's rule picks " + winner.rev());
          }
          if (winner.deleted() != row.deleted()) {
            report.add("document " + row.id() + ": listed as " + (row.deleted() ? "deleted" : "live")
                + ", its winner is " + (winner.deleted() ? "deleted" : "live"));
          }
          Set<String> leafRevs = new HashSet<>();
          found.forEach(d -> leafRevs.add(d.rev()));
          if (leafRevs.size() != found.size()) {
            report.add("document " + row.id() + ": a leaf appears twice");
          }
        }
      }
      if (page.results().isEmpty() || page.lastSeq() <= since) {
        break;
      }
      since = page.lastSeq();
    }
    long locals = 0;
    String afterId = engine.capabilities().has(Capability.LOCAL_LISTING) ? "" : null;
    try {
      if (name.equals(USERS)) {
        // The user store keeps its records in a format of its own; it reads them, not localDocs.
        locals = users(report);
        afterId = null;
      }
      while (afterId != null) {
        List<ObjectNode> page = db.localDocs(afterId, Exporter.PAGE);
        locals += page.size();
        if (page.size() < Exporter.PAGE) {
          break;
        }
        afterId = page.get(page.size() - 1).get("_id").textValue().substring("_local/".length());
      }
    } catch (SyncException e) {
      report.add("the local documents after '" + afterId + "' cannot be read: " + e.getMessage());
    }
    DatabaseInfo after = db.info();
    boolean writtenMeanwhile = after.updateSeq() != before.updateSeq();
    if (previousSeq > after.updateSeq()) {
      report.add("sequence " + previousSeq + " is above the namespace's update sequence " + after.updateSeq());
    }
    if (!writtenMeanwhile && (live != after.docCount() || deleted != after.docDelCount())) {
      report.add("the counters say " + after.docCount() + " live and " + after.docDelCount()
          + " deleted documents; the changes feed holds " + live + " and " + deleted);
    }
    return new Report(name, docs, live, deleted, leaves, conflicts, attachments, locals, List.copyOf(problems),
        problemCount[0], writtenMeanwhile);
  }

  /** Every account of the user store, read as sign-in reads it; returns how many. */
  private long users(Reporter report) {
    long count = 0;
    String after = "";
    while (true) {
      List<User> page;
      try {
        page = engine.users().list(after, Exporter.PAGE);
      } catch (SyncException e) {
        report.add("the user records after '" + after + "' cannot be read: " + e.getMessage());
        return count;
      }
      count += page.size();
      if (page.size() < Exporter.PAGE) {
        return count;
      }
      after = page.get(page.size() - 1).name();
    }
  }

  private interface Reporter {
    void add(String problem);
  }

  /** CouchDB's winner: a live leaf over a deleted one, then the higher generation, then the higher id. */
  static final Comparator<Document> WINNER = Comparator
      .comparing((Document d) -> !d.deleted())
      .thenComparingLong(d -> generation(d.rev()))
      .thenComparing(d -> hash(d.rev()));

  private static long generation(String rev) {
    Matcher m = Backup.REV.matcher(rev);
    return m.matches() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String hash(String rev) {
    Matcher m = Backup.REV.matcher(rev);
    return m.matches() ? m.group(2) : rev;
  }
}
