package dev.cairn.store.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ValueArena}: every copy stays intact in one chunk, whatever is copied after it. */
class ValueArenaTest {
  private record Slice(byte[] chunk, int offset, byte[] expected) {}

  @Test
  void copiesStayIntactAndNeverStraddleTwoChunks() {
    ValueArena arena = new ValueArena();
    Random random = new Random(3);
    List<Slice> slices = new ArrayList<>();
    long copied = 0;
    while (copied < 3L * ValueArena.CHUNK_BYTES) {
      byte[] source = new byte[random.nextInt(ValueArena.MAX_VALUE_BYTES + 1) + 8];
      random.nextBytes(source);
      int length = source.length - 8;
      byte[] chunk = arena.copy(source, 4, length); // a slice of the source, as from a WAL record
      int offset = arena.lastOffset();
      assertEquals(ValueArena.CHUNK_BYTES, chunk.length);
      assertEquals(true, offset + length <= chunk.length, "copy inside its chunk");
      slices.add(new Slice(chunk, offset, Arrays.copyOfRange(source, 4, 4 + length)));
      Arrays.fill(source, (byte) 0); // the caller's array may change afterwards
      copied += length;
    }
    for (Slice s : slices) {
      assertArrayEquals(s.expected(), Arrays.copyOfRange(s.chunk(), s.offset(), s.offset() + s.expected().length));
    }
    assertNotSame(slices.get(0).chunk(), slices.get(slices.size() - 1).chunk(), "moved on to new chunks");
  }

  @Test
  void aValueThatDoesNotFitStartsANewChunkAtOffsetZero() {
    ValueArena arena = new ValueArena();
    byte[] big = new byte[ValueArena.MAX_VALUE_BYTES];
    byte[] first = arena.copy(big, 0, big.length);
    for (int i = 1; i < ValueArena.CHUNK_BYTES / ValueArena.MAX_VALUE_BYTES; i++) {
      assertSame(first, arena.copy(big, 0, big.length), "copy " + i + " still fits");
    }
    byte[] next = arena.copy(new byte[] {1}, 0, 1);
    assertNotSame(first, next);
    assertEquals(0, arena.lastOffset());
  }
}
