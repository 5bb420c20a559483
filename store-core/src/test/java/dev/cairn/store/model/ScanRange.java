package dev.cairn.store.model;

import dev.cairn.store.KeyRange;

/**
 * A scan range chosen by the generator. {@link #contains} decides membership on its own, from the
 * definition of each kind, so that the model does not borrow the logic of {@link KeyRange}.
 *
 * @param from the prefix for {@link Kind#PREFIX}; the inclusive lower bound (null: open) otherwise
 * @param to the exclusive upper bound (null: open), for {@link Kind#BETWEEN} only
 */
record ScanRange(Kind kind, byte[] from, byte[] to) {
  enum Kind { ALL, PREFIX, BETWEEN, AT_LEAST }

  static ScanRange all() {
    return new ScanRange(Kind.ALL, null, null);
  }

  static ScanRange prefix(byte[] prefix) {
    return new ScanRange(Kind.PREFIX, prefix, null);
  }

  static ScanRange between(byte[] fromInclusive, byte[] toExclusive) {
    return new ScanRange(Kind.BETWEEN, fromInclusive, toExclusive);
  }

  static ScanRange atLeast(byte[] fromInclusive) {
    return new ScanRange(Kind.AT_LEAST, fromInclusive, null);
  }

  KeyRange toKeyRange() {
    return switch (kind) {
      case ALL -> KeyRange.all();
      case PREFIX -> KeyRange.prefix(from);
      case BETWEEN -> KeyRange.between(from, to);
      case AT_LEAST -> KeyRange.atLeast(from);
    };
  }

  boolean contains(byte[] key) {
    return switch (kind) {
      case ALL -> true;
      case PREFIX -> ModelBytes.startsWith(key, from);
      case BETWEEN -> (from == null || ModelBytes.compare(key, from) >= 0)
          && (to == null || ModelBytes.compare(key, to) < 0);
      case AT_LEAST -> ModelBytes.compare(key, from) >= 0;
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ALL -> "all()";
      case PREFIX -> "prefix(" + ModelBytes.hex(from) + ")";
      case BETWEEN -> "between(" + ModelBytes.hex(from) + ", " + ModelBytes.hex(to) + ")";
      case AT_LEAST -> "atLeast(" + ModelBytes.hex(from) + ")";
    };
  }
}
