package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Names read from a raw list before it is validated, so that references can be checked in any order of sections. */
final class Names {
  private Names() {}

  /**
   * The distinct non-empty string values of {@code key} in the mappings of {@code list}, in order; anything else is
   * skipped (the list's own reader reports it). E.g. the pool names of {@code pools}, the ids of {@code nodes}.
   */
  static List<String> in(JsonNode list, String key) {
    List<String> names = new ArrayList<>();
    if (list != null && list.isArray()) {
      for (JsonNode element : list) {
        JsonNode name = element.get(key);
        if (name != null && name.isTextual() && !name.textValue().isBlank() && !names.contains(name.textValue())) {
          names.add(name.textValue());
        }
      }
    }
    return names;
  }
}
