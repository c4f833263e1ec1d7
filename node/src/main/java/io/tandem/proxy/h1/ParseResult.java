package io.tandem.proxy.h1;

/**
 * What a head parser says about the bytes it was given: not enough yet ({@link #needMore()}), a complete head, or a
 * refusal with the status to answer (400, 414, 431, 505; 502 for a backend's response) and a reason for the log.
 *
 * @param <H> {@link RequestHead} or {@link ResponseHead}
 */
public final class ParseResult<H extends Head> {
  @SuppressWarnings("rawtypes")
  private static final ParseResult NEED_MORE = new ParseResult<>(null, 0, null);

  private final H head;
  private final int status;
  private final String reason;

  private ParseResult(H head, int status, String reason) {
    this.head = head;
    this.status = status;
    this.reason = reason;
  }

  @SuppressWarnings("unchecked")
  static <H extends Head> ParseResult<H> needMoreBytes() {
    return NEED_MORE;
  }

  static <H extends Head> ParseResult<H> complete(H head) {
    return new ParseResult<>(head, 0, null);
  }

  static <H extends Head> ParseResult<H> refused(int status, String reason) {
    return new ParseResult<>(null, status, reason);
  }

  /** No complete head yet: call again with more bytes. */
  public boolean needMore() {
    return head == null && status == 0;
  }

  /** The parsed head (owned by the caller, who releases it), or null. */
  public H head() {
    return head;
  }

  /** The status to refuse with, or 0. */
  public int status() {
    return status;
  }

  /** Why it was refused, for the log; null unless refused. */
  public String reason() {
    return reason;
  }
}
