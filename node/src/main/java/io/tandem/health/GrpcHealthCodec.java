package io.tandem.health;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire form of one {@code grpc.health.v1.Health/Check} call, written here so that the product needs no gRPC
 * library: the request body (one gRPC length-prefixed {@code HealthCheckRequest}) and the serving status read back
 * from the response body (one {@code HealthCheckResponse}).
 *
 * <p>Decoding is defensive: a body that is not exactly one uncompressed, well-formed message is {@link Malformed},
 * with a message for the operator. Unknown fields are skipped by their wire type, as protobuf readers do.
 */
final class GrpcHealthCodec {
  static final String PATH = "/grpc.health.v1.Health/Check";

  /** {@code HealthCheckResponse.ServingStatus}, by its wire value. */
  static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
  static final int SERVING = 1;

  /** gRPC status codes, by number. */
  private static final String[] GRPC_STATUS = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  private static final int MAX_MESSAGE = 200;

  private static final int PREFIX = 5;
  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LENGTH = 2;
  private static final int WIRE_FIXED32 = 5;

  /** A response body that is not one well-formed {@code HealthCheckResponse}. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private GrpcHealthCodec() {}

  /** The request body asking about {@code service}; the empty name asks about the server as a whole. */
  static Buffer request(String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    Buffer message = Buffer.buffer(name.length + 6);
    if (name.length > 0) { // proto3 leaves a default (empty) string out
      message.appendByte((byte) (1 << 3 | WIRE_LENGTH));
      appendVarint(message, name.length);
      message.appendBytes(name);
    }
    return Buffer.buffer(PREFIX + message.length()).appendByte((byte) 0).appendInt(message.length())
        .appendBuffer(message);
  }

  /**
   * The {@code status} of the one message in {@code body}: 0 (UNKNOWN) when the field is absent, as proto3 reads it;
   * values beyond {@link #SERVING_STATUS} are returned as they are.
   */
  static int status(Buffer body) throws Malformed {
    if (body.length() == 0) {
      throw new Malformed("no response message");
    }
    if (body.length() < PREFIX) {
      throw new Malformed("message prefix cut short at " + body.length() + " bytes");
    }
    int compressed = body.getUnsignedByte(0);
    if (compressed != 0) {
      throw new Malformed(compressed == 1 ? "compressed message (no compression was offered)"
          : "compressed-flag " + compressed + " is neither 0 nor 1");
    }
    long length = body.getUnsignedInt(1);
    long after = (long) body.length() - PREFIX;
    if (length > after) {
      throw new Malformed("message of " + length + " bytes cut short at " + after);
    }
    if (length < after) {
      throw new Malformed((after - length) + " bytes after the message (one was expected)");
    }
    return new Reader(body, PREFIX, body.length()).status();
  }

  /** The name of a serving status, e.g. {@code NOT_SERVING}, or its number when the health protocol has none. */
  static String statusName(int status) {
    return status >= 0 && status < SERVING_STATUS.length ? SERVING_STATUS[status] : Integer.toString(status);
  }

  /** Whether a response's content-type is gRPC's: {@code application/grpc}, optionally {@code +proto} and the like. */
  static boolean isGrpcContentType(String type) {
    return type != null && (type.equals("application/grpc") || type.startsWith("application/grpc+")
        || type.startsWith("application/grpc;"));
  }

  /**
   * A failed call for an operator, e.g. {@code grpc-status 12 UNIMPLEMENTED: Method not found}, from the grpc-status
   * and the (percent-encoded, possibly absent) grpc-message the server sent; the message is cut to 200 characters.
   */
  static String describeStatus(String code, String message) {
    String text = "grpc-status " + statusCode(code);
    return message == null || message.isEmpty() ? text : text + ": " + printable(percentDecoded(message));
  }

  private static String statusCode(String code) {
    if (!code.matches("\\d{1,9}")) {
      return "\"" + printable(code) + "\" (not a status code)";
    }
    int n = Integer.parseInt(code);
    return n < GRPC_STATUS.length ? code + " " + GRPC_STATUS[n] : code;
  }

  private static String percentDecoded(String s) {
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[in.length];
    int n = 0;
    for (int i = 0; i < in.length; i++) {
      int hi = i + 2 < in.length && in[i] == '%' ? Character.digit(in[i + 1], 16) : -1;
      int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
      if (lo >= 0) {
        out[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else {
        out[n++] = in[i]; // the spec says to keep what does not decode
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_MESSAGE + 3));
    s.codePoints().limit(MAX_MESSAGE).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return s.codePointCount(0, s.length()) > MAX_MESSAGE ? b.append("...").toString() : b.toString();
  }

  private static void appendVarint(Buffer out, int value) {
    while ((value & ~0x7F) != 0) {
      out.appendByte((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.appendByte((byte) value);
  }

  /** Reads the fields of one protobuf message in {@code [pos, end)}. */
  private static final class Reader {
    private final Buffer in;
    private final int end;
    private int pos;

    Reader(Buffer in, int start, int end) {
      this.in = in;
      this.pos = start;
      this.end = end;
    }

    int status() throws Malformed {
      int status = 0;
      while (pos < end) {
        long key = varint();
        long field = key >>> 3;
        int wire = (int) (key & 7);
        if (field == 0) {
          throw new Malformed("field number 0 in the response message");
        }
        if (field == 1) {
          if (wire != WIRE_VARINT) {
            throw new Malformed("status field of wire type " + wire + " (a varint was expected)");
          }
          status = (int) varint(); // an enum is an int32; a repeated field's last value wins
        } else {
          skip(wire, field);
        }
      }
      return status;
    }

    private void skip(int wire, long field) throws Malformed {
      long length = switch (wire) {
        case WIRE_VARINT -> {
          varint();
          yield 0;
        }
        case WIRE_FIXED64 -> 8;
        case WIRE_LENGTH -> varint();
        case WIRE_FIXED32 -> 4;
        default -> throw new Malformed("field " + field + " of unsupported wire type " + wire);
      };
      if (length < 0 || length > end - pos) { // a ten-byte length reads as negative
        throw new Malformed("field " + field + " cut short");
      }
      pos += (int) length;
    }

    private long varint() throws Malformed {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new Malformed("varint cut short");
        }
        int b = in.getUnsignedByte(pos++);
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new Malformed("varint longer than 10 bytes");
    }
  }
}
