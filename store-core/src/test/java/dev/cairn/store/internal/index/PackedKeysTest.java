package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.util.Bytes;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PackedKeys} gives back each key it was built from, whatever the keys' lengths and chunks. */
class PackedKeysTest {

  /** Keys of 0 to 40 bytes, with a few of the largest size allowed, over several chunks. */
  private static byte[][] keysOfMixedLengths(int count) {
    Random random = new Random(3);
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      int length = i % 9_999 == 17 ? StoreOptions.MAX_KEY_BYTES : random.nextInt(41);
      keys[i] = new byte[length];
      random.nextBytes(keys[i]);
    }
    return keys;
  }

  /** Entries per chunk of a packing of keys of about {@code expectedKeyBytes}. */
  private static int chunk(int expectedKeyBytes) {
    return 1 << PackedKeys.shiftFor(expectedKeyBytes);
  }

  private static void assertHolds(byte[][] keys, PackedKeys packed) {
    for (int i = 0; i < keys.length; i++) {
      assertArrayEquals(keys[i], packed.key(i), "key " + i);
      assertEquals(0, packed.compare(i, keys[i]), "key " + i + " against itself");
      byte[] other = keys[(i + 1) % keys.length];
      assertEquals(Integer.signum(Bytes.compareKeys(keys[i], other)), Integer.signum(packed.compare(i, other)),
          "key " + i + " against the next one");
    }
  }

  @Test
  void keysOfMixedLengthsComeBackAsAdded_acrossChunks() {
    byte[][] keys = keysOfMixedLengths(2 * chunk(20) + 77);
    PackedKeys.Builder builder = new PackedKeys.Builder(keys.length, 20);
    for (byte[] k : keys) {
      builder.add(k);
    }
    assertEquals(keys.length, builder.count());
    assertHolds(keys, builder.build());
  }

  @Test
  void keysCopiedFromAnotherPackingComeBackAsAdded() {
    byte[][] keys = keysOfMixedLengths(chunk(20) + 5);
    PackedKeys.Builder first = new PackedKeys.Builder(keys.length, 20);
    for (byte[] k : keys) {
      first.add(k);
    }
    PackedKeys original = first.build();
    // Copied with one key in front, so that every key lands at another offset, into chunks of
    // another size (keys of about 4 bytes make larger chunks than keys of about 20).
    byte[] extra = {1, 2, 3};
    PackedKeys.Builder second = new PackedKeys.Builder(keys.length + 10, 4);
    second.add(extra);
    // Singly, then in ranges of varied lengths, the last running past the source's chunk boundary.
    int i = 0;
    for (; i < 100; i++) {
      second.add(original, i, 1);
    }
    Random random = new Random(5);
    while (i < keys.length) {
      int n = Math.min(keys.length - i, 1 + random.nextInt(9_000));
      second.add(original, i, n);
      i += n;
    }
    PackedKeys copy = second.build();
    assertNotEquals(original.chunkSize(), copy.chunkSize());
    assertArrayEquals(extra, copy.key(0));
    assertEquals(keys.length + 1, second.count());
    for (int j = 0; j < keys.length; j++) {
      assertArrayEquals(keys[j], copy.key(j + 1), "copied key " + j);
      assertEquals(0, copy.compare(j + 1, keys[j]), "copied key " + j + " against itself");
    }
  }

  /** Keys of 16 bytes, but for one of 5 bytes at {@code odd} (none if negative). */
  private static byte[][] keysOfOneLength(int count, int odd) {
    Random random = new Random(7);
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      keys[i] = new byte[i == odd ? 5 : 16];
      random.nextBytes(keys[i]);
    }
    return keys;
  }

  private static PackedKeys pack(byte[][] keys) {
    PackedKeys.Builder builder = new PackedKeys.Builder(keys.length, 16);
    for (byte[] k : keys) {
      builder.add(k);
    }
    return builder.build();
  }

  @Test
  void keysOfOneLengthComeBackAsAdded_alsoWhenAnotherLengthArrivesMidChunk() {
    byte[][] keys = keysOfOneLength(2 * chunk(16) + 77, chunk(16) + 100);
    assertHolds(keys, pack(keys));
  }

  @Test
  void keysOfOneLengthCopiedInBulkComeBackAsAdded_whetherTheTargetChunkHasTheirLengthOrNot() {
    byte[][] keys = keysOfOneLength(chunk(16) + 5, -1);
    PackedKeys original = pack(keys);

    // Aligned copies into chunks of the same length, then a key of another length at the end.
    PackedKeys.Builder same = new PackedKeys.Builder(keys.length + 1, 16);
    same.add(original, 0, 1_000);
    same.add(original, 1_000, keys.length - 1_000);
    byte[] shortKey = {9, 9};
    same.add(shortKey);
    PackedKeys sameCopy = same.build();
    for (int j = 0; j < keys.length; j++) {
      assertArrayEquals(keys[j], sameCopy.key(j), "copied key " + j);
    }
    assertArrayEquals(shortKey, sameCopy.key(keys.length));

    // Behind a key of another length: every chunk of the copy needs its offsets.
    PackedKeys.Builder shifted = new PackedKeys.Builder(keys.length + 1, 16);
    shifted.add(shortKey);
    shifted.add(original, 0, keys.length);
    PackedKeys shiftedCopy = shifted.build();
    assertArrayEquals(shortKey, shiftedCopy.key(0));
    for (int j = 0; j < keys.length; j++) {
      assertArrayEquals(keys[j], shiftedCopy.key(j + 1), "copied key " + j);
      assertEquals(0, shiftedCopy.compare(j + 1, keys[j]), "copied key " + j + " against itself");
    }
  }

  /**
   * G1 allocates an array of half a region or more (512 KiB on heaps under 4 GiB) in whole regions
   * of its own; a chunk must stay under that, whatever the keys' length, and hold as many keys as
   * {@link PackedKeys#CHUNK_BYTES} allows.
   */
  @Test
  void chunksStayUnderHalfOfTheSmallestG1Region_forEveryKeyLength() {
    for (int length = 0; length <= StoreOptions.MAX_KEY_BYTES; length++) {
      long chunkBytes = (long) Math.max(1, length) * chunk(length);
      assertTrue(chunkBytes <= PackedKeys.CHUNK_BYTES, "keys of " + length + " bytes: " + chunkBytes);
      assertTrue(chunk(length) == PackedKeys.MAX_CHUNK || 2 * chunkBytes > PackedKeys.CHUNK_BYTES,
          "keys of " + length + " bytes: chunks of " + chunk(length) + " keys could be twice as large");
    }
    assertTrue(PackedKeys.CHUNK_BYTES * 3 / 2 < 512 * 1024, "room for keys half as long again as expected");
    assertEquals(16_384, chunk(16));

    byte[][] keys = keysOfOneLength(3 * chunk(16), -1);
    PackedKeys packed = pack(keys);
    assertEquals(chunk(16), packed.chunkSize());
    assertTrue(packed.bytes() <= 3L * PackedKeys.CHUNK_BYTES + 3 * 64, "bytes: " + packed.bytes());
    assertHolds(keys, packed);
  }

  @Test
  void addingPastTheCapacityIsRefused() {
    PackedKeys.Builder builder = new PackedKeys.Builder(1, 16);
    builder.add(new byte[16]);
    assertThrows(IllegalStateException.class, () -> builder.add(new byte[16]));
  }
}
