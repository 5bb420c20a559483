package dev.cairn.store.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Draws random {@link Op}s. Keys are 1 to 6 symbols of a small alphabet (0x00 and 0xFF included,
 * and both sides of 0x80, where signed and unsigned order part), mostly short, so most writes
 * overwrite; a third of the time a live key of the model is picked, and now and then the empty key
 * or a key of a few hundred bytes. Values are 0 to 3000 bytes, random or repetitive, with now and
 * then one about the block size or of 100 KiB.
 *
 * <p>Every key lies under {@code scope}. A generator with a non-empty scope draws only ranges
 * inside it, and no step that affects or observes the whole store (reopen, stats): concurrent
 * writers each own one scope. Choices depend only on the random source and the model, never on
 * what the store answers, so a seed always gives the same sequence.
 */
final class OpGenerator {
  static final byte[] SYMBOLS = {0x00, 0x01, 0x2F, 0x7F, (byte) 0x80, (byte) 0xC3, (byte) 0xFE, (byte) 0xFF};
  static final int SNAPSHOT_SLOTS = 3;
  static final int CURSOR_SLOTS = 2;
  static final int HUGE_VALUE_BYTES = 100 * 1024;
  private static final int MAX_VALUE_BYTES = 3000;
  private static final int BLOCK_BYTES_NEAR = ModelConfig.BLOCK_BYTES - 32;
  /** Per-mille chance of each key length from 1 to 6. */
  private static final int[] KEY_LENGTH_WEIGHTS = {150, 350, 300, 100, 50, 50};

  private final Random random;
  private final byte[] scope;
  private final boolean wholeStore;
  /** Steps until a planned reopen, or -1 when none is planned. */
  private int stepsToNextReopen = -1;

  OpGenerator(Random random, byte[] scope) {
    this.random = random;
    this.scope = scope.clone();
    this.wholeStore = scope.length == 0;
  }

  Op next(ReferenceModel model) {
    if (stepsToNextReopen >= 0 && stepsToNextReopen-- == 0) {
      return reopen();
    }
    int roll = random.nextInt(1000);
    if ((roll -= 200) < 0) {
      return new Op.Put(key(model), value());
    }
    if ((roll -= 70) < 0) {
      return new Op.Delete(key(model));
    }
    if ((roll -= 90) < 0) {
      return batch(model);
    }
    if ((roll -= 90) < 0) {
      return compareAndSet(model);
    }
    if ((roll -= 90) < 0) {
      Op.Transform[] transforms = Op.Transform.values();
      return new Op.Update(key(model), transforms[random.nextInt(transforms.length)], value());
    }
    if ((roll -= 90) < 0) {
      return new Op.Scan(range(model));
    }
    if ((roll -= 15) < 0) {
      return new Op.OpenSnapshot(random.nextInt(SNAPSHOT_SLOTS));
    }
    if ((roll -= 40) < 0) {
      List<byte[]> keys = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        keys.add(key(model));
      }
      return new Op.CheckSnapshot(random.nextInt(SNAPSHOT_SLOTS), keys, range(model));
    }
    if ((roll -= 10) < 0) {
      return new Op.CloseSnapshot(random.nextInt(SNAPSHOT_SLOTS));
    }
    if ((roll -= 15) < 0) {
      return new Op.OpenCursor(random.nextInt(CURSOR_SLOTS), range(model));
    }
    if ((roll -= 50) < 0) {
      return new Op.AdvanceCursor(random.nextInt(CURSOR_SLOTS), 1 + random.nextInt(40));
    }
    if ((roll -= 10) < 0) {
      return new Op.Flush();
    }
    if ((roll -= 5) < 0) {
      return new Op.Compact();
    }
    if (wholeStore && (roll -= 5) < 0) {
      return reopen();
    }
    if (wholeStore && (roll -= 10) < 0) {
      return new Op.Stats();
    }
    return new Op.Get(key(model));
  }

  /** A reopen; half the time another one follows within a few steps, to reopen a just-recovered store. */
  private Op reopen() {
    stepsToNextReopen = random.nextBoolean() ? random.nextInt(4) : -1;
    return new Op.Reopen(random.nextBoolean());
  }

  // ---------------------------------------------------------------- keys and values

  /** A key under the scope: a live one a third of the time, else a fresh draw (rarely the scope itself). */
  byte[] key(ReferenceModel model) {
    int roll = random.nextInt(200);
    byte[] suffix = roll == 0 ? new byte[0] : roll == 1 ? longSuffix() : randomSuffix(false);
    byte[] fresh = ModelBytes.concat(scope, suffix);
    if (random.nextInt(3) == 0) {
      byte[] live = model.randomLiveKey(random, fresh);
      if (live != null && ModelBytes.startsWith(live, scope)) {
        return live;
      }
    }
    return fresh;
  }

  private byte[] randomSuffix(boolean allowEmpty) {
    if (allowEmpty && random.nextInt(8) == 0) {
      return new byte[0];
    }
    int roll = random.nextInt(1000);
    int length = 1;
    for (int w : KEY_LENGTH_WEIGHTS) {
      if ((roll -= w) < 0) {
        break;
      }
      length++;
    }
    byte[] suffix = new byte[length];
    for (int i = 0; i < length; i++) {
      suffix[i] = SYMBOLS[random.nextInt(SYMBOLS.length)];
    }
    return suffix;
  }

  /** A key of 120 to 300 bytes (lengths that take two varint bytes) with a short random start. */
  private byte[] longSuffix() {
    byte[] start = randomSuffix(false);
    byte[] suffix = Arrays.copyOf(start, 120 + random.nextInt(181));
    Arrays.fill(suffix, start.length, suffix.length, SYMBOLS[random.nextInt(SYMBOLS.length)]);
    return suffix;
  }

  byte[] value() {
    int roll = random.nextInt(1000);
    int length = roll < 3 ? HUGE_VALUE_BYTES
        : roll < 10 ? BLOCK_BYTES_NEAR + random.nextInt(64) // records around one block
        : roll < 150 ? random.nextInt(9)
        : random.nextInt(MAX_VALUE_BYTES + 1);
    byte[] value = new byte[length];
    if (random.nextBoolean()) {
      random.nextBytes(value);
      return value;
    }
    byte[] word = new byte[1 + random.nextInt(16)];
    random.nextBytes(word);
    for (int i = 0; i < length; i++) {
      value[i] = word[i % word.length];
    }
    for (int n = length / 200; n > 0; n--) {
      value[random.nextInt(length)] = (byte) random.nextInt(256);
    }
    return value;
  }

  // ---------------------------------------------------------------- composite steps

  private Op batch(ReferenceModel model) {
    int size = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(8);
    List<ReferenceModel.Write> writes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      byte[] key = !writes.isEmpty() && random.nextInt(10) < 3
          ? writes.get(random.nextInt(writes.size())).key() // the same key twice: the last write wins
          : key(model);
      writes.add(new ReferenceModel.Write(key, random.nextInt(4) == 0 ? null : value()));
    }
    return new Op.Batch(writes, random.nextInt(4) == 0);
  }

  private Op compareAndSet(ReferenceModel model) {
    byte[] key = key(model);
    byte[] current = model.get(key);
    byte[] expected;
    int roll = random.nextInt(100);
    if (roll < 40) {
      expected = current == null ? null : current.clone();
    } else if (roll < 60) {
      expected = null;
    } else if (current != null && roll < 80) {
      expected = random.nextBoolean() ? ModelBytes.concat(current, new byte[] {1}) : flipOneByte(current);
    } else {
      expected = value();
    }
    byte[] newValue = random.nextInt(4) == 0 ? null
        : current != null && random.nextInt(10) == 0 ? current.clone() : value();
    return new Op.CompareAndSet(key, expected, newValue);
  }

  private byte[] flipOneByte(byte[] value) {
    if (value.length == 0) {
      return new byte[] {0};
    }
    byte[] out = value.clone();
    out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
    return out;
  }

  /** A range: whole store, prefix, two bounds (possibly reversed: empty), or lower bound. */
  ScanRange range(ReferenceModel model) {
    int roll = random.nextInt(100);
    if (!wholeStore) {
      return roll < 40 ? ScanRange.prefix(ModelBytes.concat(scope, randomSuffix(true)))
          : ScanRange.between(ModelBytes.concat(scope, randomSuffix(true)), ModelBytes.concat(scope, randomSuffix(true)));
    }
    if (roll < 15) {
      return ScanRange.all();
    }
    if (roll < 50) {
      byte[] prefix = random.nextInt(10) == 0 ? new byte[] {(byte) 0xFF, (byte) 0xFF} : bound(model);
      return ScanRange.prefix(Arrays.copyOf(prefix, Math.min(prefix.length, random.nextInt(4))));
    }
    if (roll < 85) {
      byte[] from = random.nextInt(8) == 0 ? null : bound(model);
      byte[] to = random.nextInt(8) == 0 ? null : random.nextInt(10) == 0 && from != null ? from : bound(model);
      return ScanRange.between(from, to);
    }
    return ScanRange.atLeast(bound(model));
  }

  private byte[] bound(ReferenceModel model) {
    return random.nextBoolean() ? key(model) : randomSuffix(true);
  }
}
