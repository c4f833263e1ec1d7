package io.tandem.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** GrpcHealthCodec against protobuf-java's own encoding of the grpc.health.v1 messages. */
class GrpcHealthCodecTest {

  private static Buffer framed(byte[] message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
  }

  private static Buffer response(HealthCheckResponse message) {
    return framed(message.toByteArray());
  }

  private static String malformed(Buffer body) {
    return assertThrows(GrpcHealthCodec.Malformed.class, () -> GrpcHealthCodec.status(body)).getMessage();
  }

  @Test
  void requestIsTheLengthPrefixedHealthCheckRequest() throws Exception {
    for (String service : new String[] {"", "my.pkg.Echo", "é".repeat(100)}) {
      Buffer body = GrpcHealthCodec.request(service);
      byte[] expected = HealthCheckRequest.newBuilder().setService(service).build().toByteArray();
      assertEquals(0, body.getByte(0), "not compressed");
      assertEquals(expected.length, body.getInt(1));
      assertArrayEquals(expected, body.getBytes(5, body.length()), service);
      assertEquals(service, HealthCheckRequest.parseFrom(body.getBytes(5, body.length())).getService());
    }
    assertEquals(5, GrpcHealthCodec.request("").length(), "the whole server: an empty message");
  }

  @Test
  void readsEveryServingStatus() throws Exception {
    for (ServingStatus s : new ServingStatus[] {ServingStatus.UNKNOWN, ServingStatus.SERVING,
        ServingStatus.NOT_SERVING, ServingStatus.SERVICE_UNKNOWN}) {
      int status = GrpcHealthCodec.status(response(HealthCheckResponse.newBuilder().setStatus(s).build()));
      assertEquals(s.getNumber(), status);
      assertEquals(s.name(), GrpcHealthCodec.statusName(status));
    }
    assertEquals(0, GrpcHealthCodec.status(framed(new byte[0])), "an absent status reads as UNKNOWN");
    assertEquals(7, GrpcHealthCodec.status(framed(new byte[] {0x08, 0x07})));
    assertEquals("7", GrpcHealthCodec.statusName(7));
    assertEquals(-1, GrpcHealthCodec.status(response(HealthCheckResponse.newBuilder().setStatusValue(-1).build())),
        "a negative enum takes ten bytes");
  }

  @Test
  void skipsUnknownFieldsOfEveryWireType() throws Exception {
    UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
        .addField(2, UnknownFieldSet.Field.newBuilder().addVarint(300).build())
        .addField(3, UnknownFieldSet.Field.newBuilder().addFixed64(-1L).build())
        .addField(4, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x".repeat(200)))
            .build())
        .addField(5, UnknownFieldSet.Field.newBuilder().addFixed32(7).build())
        .addField(1000, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
        .build();
    HealthCheckResponse message = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING)
        .setUnknownFields(unknown).build();
    assertEquals(1, GrpcHealthCodec.status(response(message)));
    byte[] statusLast = {0x10, 0x05, 0x08, 0x02}; // field 2 before the status
    assertEquals(2, GrpcHealthCodec.status(framed(statusLast)));
    assertEquals(1, GrpcHealthCodec.status(framed(new byte[] {0x08, 0x02, 0x08, 0x01})), "the last value wins");
  }

  @Test
  void malformedBodiesAreReportedNotThrownThrough() {
    assertEquals("no response message", malformed(Buffer.buffer()));
    assertEquals("message prefix cut short at 3 bytes", malformed(Buffer.buffer(new byte[] {0, 0, 0})));
    assertEquals("compressed message (no compression was offered)",
        malformed(Buffer.buffer(new byte[] {1, 0, 0, 0, 0})));
    assertEquals("compressed-flag 9 is neither 0 nor 1", malformed(Buffer.buffer(new byte[] {9, 0, 0, 0, 0})));
    assertEquals("message of 4 bytes cut short at 2",
        malformed(Buffer.buffer(new byte[] {0, 0, 0, 0, 4, 0x08, 0x01})));
    assertEquals("message of 4294967295 bytes cut short at 0",
        malformed(Buffer.buffer(new byte[] {0, -1, -1, -1, -1})));
    assertEquals("5 bytes after the message (one was expected)",
        malformed(framed(new byte[] {0x08, 0x01}).appendBuffer(framed(new byte[0]))));
    assertEquals("varint cut short", malformed(framed(new byte[] {0x08, (byte) 0x81})));
    assertEquals("varint cut short", malformed(framed(new byte[] {(byte) 0x88})));
    byte[] eleven = {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01};
    assertEquals("varint longer than 10 bytes", malformed(framed(eleven)));
    assertEquals("status field of wire type 2 (a varint was expected)",
        malformed(framed(new byte[] {0x0A, 0x01, 0x01})));
    assertEquals("field number 0 in the response message", malformed(framed(new byte[] {0x00, 0x01})));
    assertEquals("field 2 cut short", malformed(framed(new byte[] {0x12, 0x05, 0x01})));
    assertEquals("field 2 cut short", malformed(framed(new byte[] {0x11, 0x01, 0x02})));
    byte[] negativeLength = {0x12, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01, 0x08, 0x01};
    assertEquals("field 2 cut short", malformed(framed(negativeLength)));
    assertEquals("field 2 of unsupported wire type 3", malformed(framed(new byte[] {0x13})));
    assertEquals("field 2 of unsupported wire type 7", malformed(framed(new byte[] {0x17})));
  }

  @Test
  void failedCallsAreDescribedByCodeNameAndDecodedMessage() {
    assertEquals("grpc-status 14 UNAVAILABLE", GrpcHealthCodec.describeStatus("14", null));
    assertEquals("grpc-status 16 UNAUTHENTICATED", GrpcHealthCodec.describeStatus("16", ""));
    assertEquals("grpc-status 17", GrpcHealthCodec.describeStatus("17", null));
    assertEquals("grpc-status \"x y\" (not a status code)", GrpcHealthCodec.describeStatus("x\ny", null));
    assertEquals("grpc-status 2 UNKNOWN: 50% off, tab here, %4", GrpcHealthCodec.describeStatus("2",
        "50%25 off,%09tab here, %4"));
    String cut = GrpcHealthCodec.describeStatus("13", "x".repeat(500));
    assertEquals("grpc-status 13 INTERNAL: " + "x".repeat(200) + "...", cut);
  }

  @Test
  void grpcContentTypes() {
    for (String type : new String[] {"application/grpc", "application/grpc+proto", "application/grpc; charset=x"}) {
      assertEquals(true, GrpcHealthCodec.isGrpcContentType(type), type);
    }
    for (String type : new String[] {"application/grpc-web", "application/json", "application/grpcx"}) {
      assertEquals(false, GrpcHealthCodec.isGrpcContentType(type), type);
    }
    assertEquals(false, GrpcHealthCodec.isGrpcContentType(null));
  }
}
