package io.tandem.proxy;

import io.tandem.util.Outcome;
import io.tandem.balancing.PickContext;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.util.Scheduler;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The protocol-neutral half of one proxied HTTP request or TCP connection: the pool's circuit breaker, the session's
 * backend (local memory first, the shared table asynchronously), a slot on a backend (the balancer's pick, slow start
 * considered) or a wait in the pool's queue, connect failures retried on other backends within the retry budget, the
 * slot given back with the result for passive detection, and the breaker told how it ended. Every codec (HTTP/1.1,
 * the HTTP/2 front, TCP) drives one of these and only moves bytes; Envoy's router/codec split is the model.
 *
 * <pre>{@code
 * BackendAttempt a = new BackendAttempt(listener, loop, scheduler);
 * if (!a.admit(pool)) { answer(Outcome.CIRCUIT_OPEN); return; }
 * a.start(pick, session, leg);      // leg.connect(backend) once a slot is held, or leg.refuse(outcome)
 * ...                               // the leg reports: a.connectFailed(cause), a.retry(...), a.release(failure)
 * a.end(outcome, status);           // exactly once, when the request or connection is over
 * }</pre>
 *
 * <p>Confined to the owner's event loop ({@code loop} runs tasks there); the only cross-thread entries are the shared
 * table's answer and a queue hand-off, both of which hop back through {@code loop}. Timers run on the injected
 * {@link Scheduler}, so queue time-outs are tested with a manual clock.
 */
public final class BackendAttempt implements QueueWait.Owner {
  private static final Logger LOG = LogManager.getLogger(BackendAttempt.class);

  /** The codec side of the attempt. Called on the owner's event loop. */
  public interface Leg {
    /** A slot on {@code backend} is held for this request: connect (or reuse a connection) and send. */
    void connect(Backend backend);

    /** No backend can take the request ({@code no_backend}, {@code queue_full}, ...): answer or close. */
    void refuse(Outcome outcome);
  }

  /** A request's session persistence as the attempt sees it (cookie, learned cookie or source address). */
  public interface Affinity {
    /** The bound backend from local memory, or null ({@link #needsRemote()} then says whether to ask the table). */
    Backend local();

    /** Whether a key was found but not in local memory, so the shared table must be asked. */
    boolean needsRemote();

    /** The shared table's answer: the bound backend, or null. Never blocks; may complete on any thread. */
    CompletionStage<Backend> remote();

    /** The only backend a waiting request accepts (its session's), or null for any. */
    String requiredBackendId();

    /** The bound backend could not be reached: the request may go anywhere and the session moves with it. */
    void unbind();
  }

  /** No persistence: every request is a fresh choice. */
  public static final Affinity NONE = new Affinity() {
    @Override
    public Backend local() {
      return null;
    }

    @Override
    public boolean needsRemote() {
      return false;
    }

    @Override
    public CompletionStage<Backend> remote() {
      throw new IllegalStateException("no shared lookup without persistence");
    }

    @Override
    public String requiredBackendId() {
      return null;
    }

    @Override
    public void unbind() {
    }
  };

  private final ListenerState listener;
  private final Executor loop;
  private final Scheduler scheduler;
  private final PoolAdmission admission;
  private PoolSnapshot pool;
  private PickContext pick;
  private Affinity session = NONE;
  private Leg leg;
  private Backend backend;
  private boolean slotHeld;
  private int attempts;
  private QueueWait wait;
  private boolean ended;

  /**
   * @param loop      runs a task on the owner's event loop (where every call of this class is made)
   * @param scheduler the owner's timers (queue time-out)
   */
  public BackendAttempt(ListenerState listener, Executor loop, Scheduler scheduler) {
    this.listener = listener;
    this.loop = loop;
    this.scheduler = scheduler;
    this.admission = new PoolAdmission(listener.poolGuards());
  }

  /** Enters {@code pool} through its circuit breaker; false when it is open (answer {@code circuit_open} at once). */
  public boolean admit(PoolSnapshot pool) {
    this.pool = pool;
    return admission.admit(pool.name());
  }

  /** Finds the request's backend and hands it to {@code leg}: the session's, a free one, or one from the queue. */
  public void start(PickContext pick, Affinity session, Leg leg) {
    this.pick = pick;
    this.session = session;
    this.leg = leg;
    Backend bound = session.local();
    if (bound == null && session.needsRemote()) {
      // Not in this node's cache: ask the shared table without blocking, then carry on here.
      session.remote().whenComplete((b, err) -> loop.execute(() -> {
        if (!ended) {
          route(err == null ? b : null);
        }
      }));
      return;
    }
    route(bound);
  }

  private void route(Backend bound) {
    if (bound == null) {
      selectAndConnect();
    } else if (listener.registry().tryAcquire(bound)) {
      acquired(bound);
    } else {
      enqueue();
    }
  }

  private void selectAndConnect() {
    Backend free = freeSlot(pick);
    if (free != null) {
      acquired(free);
    } else if (!pool.hasEligible() || attempts > 0) {
      leg.refuse(attempts > 0 ? Outcome.BACKEND_CONNECT_FAILED : Outcome.NO_BACKEND);
    } else {
      enqueue();
    }
  }

  private Backend freeSlot(PickContext ctx) {
    return admission.takeSlot(pool, ctx, listener.registry()::tryAcquire);
  }

  private void enqueue() {
    wait = new QueueWait(loop, scheduler, pool.queue(), this);
    if (!wait.enter(pool.config().queue().timeout())) {
      leg.refuse(Outcome.QUEUE_FULL);
    }
  }

  // ---- the queue's view ----

  @Override
  public String requiredBackendId() {
    return session.requiredBackendId();
  }

  @Override
  public Backend slotNow(String required) {
    if (required == null) {
      return freeSlot(PickContext.create());
    }
    Backend b = pool.byId().get(required);
    return b != null && listener.registry().tryAcquire(b) ? b : null;
  }

  @Override
  public boolean finished() {
    return ended;
  }

  @Override
  public void acquired(Backend b) {
    backend = b;
    slotHeld = true;
    attempts++;
    leg.connect(b);
  }

  @Override
  public void timedOut() {
    leg.refuse(Outcome.QUEUE_TIMEOUT);
  }

  // ---- what the leg reports ----

  /**
   * The connection to the current backend could not be made: counted on the backend, its slot given back as a
   * failure, and the request tried on another backend when attempts and the retry budget allow (the session moves
   * with it), else refused with {@code backend_connect_failed}.
   */
  public void connectFailed(Throwable cause) {
    Backend failed = backend;
    LOG.debug("connect to {} failed: {}", failed, cause.toString());
    failed.stats().record(Outcome.BACKEND_CONNECT_FAILED);
    if (!retry(true)) {
      leg.refuse(Outcome.BACKEND_CONNECT_FAILED);
    }
  }

  /**
   * Gives the current backend's slot back as a failure and, when {@code allowed} and attempts and the retry budget
   * permit, tries another backend (true). False: nothing was retried; the caller answers.
   */
  public boolean retry(boolean allowed) {
    return retry(allowed, true, true);
  }

  /**
   * An HTTP/2 backend refused the request unprocessed (it is going away: GOAWAY above the stream's id, REFUSED_STREAM,
   * or no new connection after a GOAWAY): tried on another backend within the attempts but outside the retry budget,
   * since the backend did none of the work; {@code backendFailed} says whether passive detection and the breaker see a
   * failure (a refused connection) or not (a refused stream). False: nothing was retried; the caller answers.
   */
  public boolean retryRefused(boolean backendFailed) {
    return retry(true, backendFailed, false);
  }

  private boolean retry(boolean allowed, boolean failure, boolean budgeted) {
    Backend failed = backend;
    release(failure);
    if (!allowed || attempts >= pool.config().retries().connectAttempts() || (budgeted && !admission.tryRetry())) {
      return false;
    }
    pick.exclude(failed);
    if (session.requiredBackendId() != null) {
      session.unbind();
    }
    selectAndConnect();
    return true;
  }

  /** Gives the backend slot back (to a waiter or the counter) and reports the result to passive detection. */
  public void release(boolean failure) {
    if (!slotHeld) {
      return;
    }
    slotHeld = false;
    pool.release(backend, failure);
  }

  /**
   * The request or connection is over: leaves the queue, gives back a slot still held (as a success), and tells the
   * circuit breaker. {@code status} is the HTTP status (0 for TCP). Idempotent.
   */
  public void end(Outcome outcome, int status) {
    if (ended) {
      return;
    }
    ended = true;
    if (wait != null) {
      wait.leave();
    }
    release(false);
    admission.finish(outcome, status);
  }

  /** Whether {@link #end} was called. */
  public boolean ended() {
    return ended;
  }

  /** The pool entered, or null before {@link #admit}. */
  public PoolSnapshot pool() {
    return pool;
  }

  /** The backend of the current (or last) try, or null before any. */
  public Backend backend() {
    return backend;
  }

  /** Backends tried so far. */
  public int attempts() {
    return attempts;
  }
}
