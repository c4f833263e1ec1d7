package io.tandem.affinity;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The one affinity key's look-ups and bindings that HTTP and TCP persistence share. */
class KeyBindingTest {
  /** A table whose local memory and shared side the test sets, and which records what it was asked to store. */
  private static final class Table implements AffinityTable {
    final Map<String, String> local = new HashMap<>();
    CompletableFuture<String> shared = CompletableFuture.completedFuture(null);
    CompletableFuture<String> stored;   // what bindIfAbsent answers; null: stored at once
    final List<String> calls = new ArrayList<>();

    @Override
    public String lookup(String pool, String key) {
      return local.get(pool + "/" + key);
    }

    @Override
    public CompletionStage<String> fetch(String pool, String key) {
      return shared;
    }

    @Override
    public CompletionStage<String> bindIfAbsent(String pool, String key, String backendId, Duration idle) {
      calls.add("bind " + pool + "/" + key + "=" + backendId + " " + idle);
      return stored != null ? stored : CompletableFuture.completedFuture(backendId);
    }

    @Override
    public CompletionStage<Void> rebind(String pool, String key, String backendId, Duration idle) {
      calls.add("rebind " + pool + "/" + key + "=" + backendId + " " + idle);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public int size(String pool) {
      return local.size();
    }
  }

  private final Table table = new Table();

  @Test
  void aLocalBindingNeedsNoSharedLookupAndIsRecordedOnlyWhenItMoves() {
    table.local.put("web/10.0.0.1", "b1");
    KeyBinding k = new KeyBinding(table, "web", "10.0.0.1", Duration.ofMinutes(5));
    assertEquals("b1", k.lookUpLocally());
    assertFalse(k.needsRemote());
    k.record("b1");
    assertTrue(table.calls.isEmpty(), "the same backend: nothing to store");
    k.record("b2");
    assertEquals(List.of("rebind web/10.0.0.1=b2 PT5M"), table.calls, "the backend moved: the binding follows");
  }

  @Test
  void aLocalMissAsksTheSharedTable() {
    table.shared = CompletableFuture.completedFuture("b3");
    KeyBinding k = new KeyBinding(table, "web", "10.0.0.1", Duration.ofMinutes(5));
    assertNull(k.lookUpLocally());
    assertTrue(k.needsRemote());
    assertEquals("b3", k.lookUpRemotely().toCompletableFuture().join());
    assertFalse(k.needsRemote());
    k.record("b3");
    assertTrue(table.calls.isEmpty(), "bound elsewhere in the cluster to the same backend");
  }

  @Test
  void anUnboundKeyIsBoundFirstWinsWithTheDefaultIdleTime() {
    KeyBinding k = new KeyBinding(table, "web", "abc", null);
    assertNull(k.lookUpLocally());
    assertNull(k.lookUpRemotely().toCompletableFuture().join());
    k.record("b1");
    assertEquals(List.of("bind web/abc=b1 PT30M"), table.calls);
  }

  @Test
  void aTableThatNeverAnswersIsGivenUpOnWithoutCompletingItsOwnFuture() {
    table.shared = new CompletableFuture<>();
    KeyBinding k = new KeyBinding(table, "web", "10.0.0.1", null);
    k.lookUpLocally();
    CompletableFuture<String> answer = k.lookUpRemotely().toCompletableFuture();
    assertFalse(answer.isDone());
    await().atMost(Duration.ofMillis(KeyBinding.SHARED_WAIT_MILLIS * 10)).until(answer::isDone);
    assertNull(answer.join(), "no answer in time: a fresh choice");
    assertFalse(table.shared.isDone(), "the table's own future is left to the table");
  }

  @Test
  void bindAndWaitCompletesOnceTheSharedTableHasStoredTheBinding() {
    table.stored = new CompletableFuture<>();
    CompletableFuture<Void> done = new KeyBinding(table, "web", "sess-1", null).bindAndWait("b2").toCompletableFuture();
    assertEquals(List.of("bind web/sess-1=b2 PT30M"), table.calls);
    assertFalse(done.isDone(), "not stored yet: the answer is held");
    table.stored.complete("b1");   // another node bound it first: stored all the same
    assertTrue(done.isDone());
  }

  @Test
  void bindAndWaitGivesUpOnATableThatNeverStores() {
    table.stored = new CompletableFuture<>();
    CompletableFuture<Void> done = new KeyBinding(table, "web", "sess-1", null).bindAndWait("b2").toCompletableFuture();
    await().atMost(Duration.ofMillis(KeyBinding.SHARED_WAIT_MILLIS * 10)).until(done::isDone);
    assertFalse(table.stored.isDone(), "the table's own future is left to the table");
  }
}
