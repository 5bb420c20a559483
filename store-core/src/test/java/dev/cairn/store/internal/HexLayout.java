package dev.cairn.store.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Builds a file field by field, straight from the field tables of docs/FORMAT.md, and renders it
 * as the offset-annotated hex dump that FORMAT.md prints. It shares no code with the writers, so a
 * layout that equals a writer's output shows that the field table describes the code.
 *
 * <p>Rendered lines are {@code OOOO  hh hh ..  comment}: a 4-digit hex offset, up to 8 bytes, and
 * the name and value of the field that starts on that line. Not thread-safe.
 */
final class HexLayout {
  static final int BYTES_PER_LINE = 8;

  private final List<Field> fields = new ArrayList<>();
  private byte[] buf = new byte[256];
  private int size;

  private static final class Field {
    final int offset;
    final int length;
    String comment;

    Field(int offset, int length, String comment) {
      this.offset = offset;
      this.length = length;
      this.comment = comment;
    }
  }

  /** Appends raw bytes as one field. Returns the field's index, for {@link #fill}. */
  int bytes(String comment, byte[] b) {
    fields.add(new Field(size, b.length, comment));
    if (size + b.length > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(2 * buf.length, size + b.length));
    }
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return fields.size() - 1;
  }

  int ascii(String name, String text) {
    return bytes(name + " \"" + text + "\"", text.getBytes(StandardCharsets.US_ASCII));
  }

  int u8(String comment, int v) {
    return bytes(comment, new byte[] {(byte) v});
  }

  int u32(String comment, int v) {
    return bytes(comment, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
  }

  int u64(String comment, long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return bytes(comment, b);
  }

  /** Unsigned LEB128. */
  int varint(String comment, long v) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while ((v & ~0x7FL) != 0) {
      b.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.write((int) v);
    return bytes(comment, b.toByteArray());
  }

  /** Reserves a 4-byte field whose value is known only later. */
  int u32Later() {
    return u32("", 0);
  }

  /** Sets a reserved 4-byte field. */
  void fill(int field, int v, String comment) {
    Field f = fields.get(field);
    for (int i = 0; i < 4; i++) {
      buf[f.offset + i] = (byte) (v >>> (24 - 8 * i));
    }
    f.comment = comment;
  }

  /** Sets a reserved field to the CRC32C of the ranges {@code [from, to)} given in pairs. */
  void fillCrc32c(int field, int... fromToPairs) {
    CRC32C crc = new CRC32C();
    StringBuilder over = new StringBuilder();
    for (int i = 0; i < fromToPairs.length; i += 2) {
      crc.update(buf, fromToPairs[i], fromToPairs[i + 1] - fromToPairs[i]);
      over.append(i == 0 ? "" : " + ")
          .append(String.format("%04x-%04x", fromToPairs[i], fromToPairs[i + 1] - 1));
    }
    fill(field, (int) crc.getValue(), "crc32c of " + over);
  }

  /** Offset of the next field. */
  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** The dump as FORMAT.md prints it, one line per 8 bytes, without the code fence. */
  String render() {
    StringBuilder s = new StringBuilder();
    for (Field f : fields) {
      for (int at = f.offset; at < f.offset + f.length; at += BYTES_PER_LINE) {
        StringBuilder hex = new StringBuilder();
        for (int i = at; i < Math.min(at + BYTES_PER_LINE, f.offset + f.length); i++) {
          hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", buf[i] & 0xFF));
        }
        String comment = at == f.offset ? f.comment : "";
        s.append(String.format("%04x  %-23s  %s", at, hex, comment).stripTrailing()).append('\n');
      }
    }
    return s.toString();
  }
}
