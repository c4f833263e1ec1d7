package io.tandem.proxy.rules;

import io.tandem.config.ActionConfig;
import io.tandem.proxy.h1.HeaderEdits;

/**
 * What a route's actions decided for one request: an {@link Answer} to send instead of forwarding, or what to change
 * in the forwarded request (target, headers) and in the response (headers). {@link #NONE} for a route without
 * actions, so the plain path allocates nothing.
 */
public final class Plan {
  public static final Plan NONE = new Plan(null, null, null, null, null);

  private final Answer answer;
  private final String target;
  private final HeaderEdits request;
  private final HeaderEdits response;
  private final ActionConfig.Compress compress;

  Plan(Answer answer, String target, HeaderEdits request, HeaderEdits response, ActionConfig.Compress compress) {
    this.answer = answer;
    this.target = target;
    this.request = request;
    this.response = response;
    this.compress = compress;
  }

  /** The answer to send instead of forwarding, or null to forward. */
  public Answer answer() {
    return answer;
  }

  /** The request target to forward instead of the client's (a rewritten path, its query kept), or null. */
  public String target() {
    return target;
  }

  /** Changes to the forwarded request's fields, or null. */
  public HeaderEdits request() {
    return request;
  }

  /** Changes to the response's fields, or null. */
  public HeaderEdits response() {
    return response;
  }

  /** How to compress the response when it is worth it (the client accepts gzip), or null. */
  public ActionConfig.Compress compress() {
    return compress;
  }
}
