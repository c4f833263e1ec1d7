package io.tandem.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CookiesTest {
  @Test
  void findsCookieAmongOthers() {
    assertEquals("abc", Cookies.find("a=1; SRV=abc; b=2", "SRV"));
    assertEquals("1", Cookies.find("a=1", "a"));
    assertEquals("2", Cookies.find("a=1;b=2", "b"));
    assertEquals("", Cookies.find("a=; b=2", "a"));
  }

  @Test
  void firstOccurrenceWinsAndNamesAreExact() {
    assertEquals("x", Cookies.find("s=x; s=y", "s"));
    assertNull(Cookies.find("ss=x; xs=y", "s"));
    assertNull(Cookies.find("S=x", "s"));
  }

  @Test
  void toleratesJunk() {
    assertNull(Cookies.find(null, "a"));
    assertNull(Cookies.find("", "a"));
    assertNull(Cookies.find(";;;", "a"));
    assertNull(Cookies.find("novalue; =x", "a"));
    assertEquals("v", Cookies.find(" ; a = v ; ", "a"));
  }

  @Test
  void tokensAreStableOpaqueAndSecretDependent() {
    String t = CookieTokens.token("web", "b1", null);
    assertEquals(t, CookieTokens.token("web", "b1", null));
    assertNotEquals(t, CookieTokens.token("web", "b2", null));
    assertNotEquals(t, CookieTokens.token("web", "b1", "s3cret"));
    assertEquals(16, t.length());
  }
}
