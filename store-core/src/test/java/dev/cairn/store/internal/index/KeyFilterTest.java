package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The filter of an in-memory map: never a false "absent", and rarely a false "maybe" at its design load. */
class KeyFilterTest {
  @Test
  void everyAddedKeyMightBeContained_evenFarPastTheExpectedCount() {
    KeyFilter filter = new KeyFilter(1_000);
    Random random = new Random(1);
    byte[][] keys = new byte[50_000][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[random.nextInt(40)]; // empty, short and multi-word keys
      random.nextBytes(keys[i]);
      filter.add(keys[i]);
    }
    for (byte[] key : keys) {
      assertTrue(filter.mightContain(key));
    }
  }

  @Test
  void absentKeysAreRejectedAtTheDesignLoad() {
    int expected = 32_768;
    KeyFilter filter = new KeyFilter(expected);
    for (int i = 0; i < expected; i++) {
      filter.add(("present-" + i).getBytes());
    }
    int maybe = 0;
    int probes = 100_000;
    for (int i = 0; i < probes; i++) {
      if (filter.mightContain(("absent-" + i).getBytes())) {
        maybe++;
      }
    }
    // Two bits per key in one word, 16 bits per key: about 2% of absent keys answer "maybe".
    assertTrue(maybe < probes / 25, maybe + " of " + probes + " absent keys answered maybe");
  }

  @Test
  void aFilterWithNoKeysRejectsEveryKey() {
    KeyFilter filter = new KeyFilter(1_000);
    for (int i = 0; i < 1_000; i++) {
      assertFalse(filter.mightContain(("key-" + i).getBytes()));
    }
    filter.add("key-0".getBytes());
    assertTrue(filter.mightContain("key-0".getBytes()));
  }

  @Test
  void keysDifferingInOneByteHashApart() {
    byte[] a = "user:000000000001".getBytes();
    byte[] b = "user:000000000002".getBytes();
    assertTrue(KeyFilter.hash(a) != KeyFilter.hash(b));
    assertTrue(KeyFilter.hash(new byte[0]) != KeyFilter.hash(new byte[1]), "the length is hashed");
  }
}
