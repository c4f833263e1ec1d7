package io.tandem.tls.pem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The {@code -----BEGIN X-----} ... {@code -----END X-----} blocks of a PEM text, decoded; text around them ignored. */
record PemBlocks(List<Block> blocks) {
  record Block(String type, byte[] der) {}

  static PemBlocks parse(byte[] pem) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    List<Block> blocks = new ArrayList<>();
    int at = 0;
    while (true) {
      int begin = text.indexOf("-----BEGIN ", at);
      if (begin < 0) {
        break;
      }
      int typeEnd = text.indexOf("-----", begin + 11);
      if (typeEnd < 0) {
        break;
      }
      String type = text.substring(begin + 11, typeEnd);
      String endMarker = "-----END " + type + "-----";
      int end = text.indexOf(endMarker, typeEnd);
      if (end < 0) {
        throw new IllegalArgumentException("unterminated PEM block " + type + " (no \"" + endMarker + "\")");
      }
      String body = text.substring(typeEnd + 5, end);
      if (body.contains(":")) {
        // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") mark a legacy encrypted key.
        blocks.add(new Block("ENCRYPTED " + type, new byte[0]));
      } else {
        try {
          blocks.add(new Block(type, Base64.getMimeDecoder().decode(body)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("PEM block " + type + " is not valid base64");
        }
      }
      at = end + endMarker.length();
    }
    return new PemBlocks(List.copyOf(blocks));
  }

  List<Block> ofType(String type) {
    return blocks.stream().filter(b -> b.type.equals(type)).toList();
  }
}
