package dev.cairn.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic source of realistic JSON documents (orders of an online shop), 200 to 400 bytes
 * each, for compression measurements. Field names repeat in every document and values come from
 * small vocabularies mixed with random numbers, as in real application data: compressible, but not
 * trivially so.
 *
 * <p>The same seed always yields the same sequence of documents. Not thread-safe.
 */
public final class JsonDocuments {
  private static final String[] FIRST_NAMES = {
    "Maria", "James", "Aiko", "Oluwaseun", "Sofia", "Liam", "Priya", "Mateo", "Chen", "Fatima",
    "Noah", "Elena", "Kwame", "Ingrid", "Diego", "Hana"
  };
  private static final String[] LAST_NAMES = {
    "Garcia", "Smith", "Tanaka", "Adeyemi", "Rossi", "Murphy", "Sharma", "Lopez", "Wei", "Haddad",
    "Johnson", "Petrova", "Mensah", "Larsen", "Fernandez", "Kim"
  };
  private static final String[] COUNTRIES = {
    "DE", "US", "JP", "NG", "IT", "IE", "IN", "MX", "CN", "FR"
  };
  private static final String[] STATUSES = {"pending", "paid", "shipped", "delivered", "returned"};
  private static final String[] TAGS = {
    "gift", "express", "bulk", "first-order", "discounted", "fragile"
  };
  private static final String[] CURRENCIES = {"EUR", "USD", "JPY", "GBP"};

  private final SplittableRandom random;
  private final StringBuilder json = new StringBuilder(512);

  public JsonDocuments(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The next document, UTF-8 encoded. */
  public byte[] next() {
    json.setLength(0);
    String first = pick(FIRST_NAMES);
    String last = pick(LAST_NAMES);
    json.append("{\"id\":\"ord-").append(100_000 + random.nextInt(900_000)).append('"')
        .append(",\"customer\":{\"name\":\"").append(first).append(' ').append(last).append('"')
        .append(",\"email\":\"").append(first.toLowerCase()).append('.').append(last.toLowerCase())
        .append(random.nextInt(100)).append("@example.com\"")
        .append(",\"country\":\"").append(pick(COUNTRIES)).append("\"}")
        .append(",\"status\":\"").append(pick(STATUSES)).append('"')
        .append(",\"createdAt\":\"2024-").append(twoDigits(1 + random.nextInt(12)))
        .append('-').append(twoDigits(1 + random.nextInt(28)))
        .append('T').append(twoDigits(random.nextInt(24))).append(':')
        .append(twoDigits(random.nextInt(60))).append(':').append(twoDigits(random.nextInt(60)))
        .append("Z\",\"currency\":\"").append(pick(CURRENCIES)).append("\",\"items\":[");
    int itemCount = 1 + random.nextInt(3);
    long totalCents = 0;
    for (int i = 0; i < itemCount; i++) {
      int quantity = 1 + random.nextInt(4);
      int priceCents = 199 + random.nextInt(20_000);
      totalCents += (long) quantity * priceCents;
      json.append(i == 0 ? "" : ",")
          .append("{\"sku\":\"SKU-").append(10_000 + random.nextInt(90_000))
          .append("\",\"qty\":").append(quantity)
          .append(",\"price\":").append(money(priceCents)).append('}');
    }
    json.append("],\"total\":").append(money(totalCents)).append(",\"tags\":[");
    int tagCount = random.nextInt(3);
    for (int i = 0; i < tagCount; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(pick(TAGS)).append('"');
    }
    json.append("]}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String pick(String[] words) {
    return words[random.nextInt(words.length)];
  }

  private static String twoDigits(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }

  private static String money(long cents) {
    long fraction = cents % 100;
    return (cents / 100) + "." + (fraction < 10 ? "0" : "") + fraction;
  }
}
