package dev.cairn.benchmarks.engines;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sqlite.SQLiteConfig;

/**
 * SQLite (xerial sqlite-jdbc) with one table {@code kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID}
 * in WAL mode, one connection per thread, each statement its own transaction (autocommit).
 * Process-crash-safe is {@code synchronous=NORMAL} (in WAL mode a commit is written to the WAL
 * but fsynced only at checkpoints: durable across a process crash, per SQLite's docs); fsync per
 * commit is {@code synchronous=FULL}. {@link #increment} is {@code BEGIN IMMEDIATE}, select,
 * upsert, commit. SQLite has no compression.
 */
public final class SqliteEngine implements KvEngine {
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  /** Replaced at each open, so no thread keeps a session of a closed store. */
  private ThreadLocal<Session> sessions;
  private String url;
  private SQLiteConfig config;

  /** One thread's connection and its prepared statements. */
  private static final class Session {
    final Connection connection;
    final PreparedStatement get;
    final PreparedStatement put;
    final PreparedStatement scan;

    Session(Connection connection) throws SQLException {
      this.connection = connection;
      this.get = connection.prepareStatement("SELECT v FROM kv WHERE k = ?");
      this.put = connection.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
      this.scan = connection.prepareStatement("SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?");
    }
  }

  @Override
  public String id() {
    return "sqlite";
  }

  @Override
  public String displayName() {
    return "SQLite";
  }

  @Override
  public Class<?> libraryClass() {
    return SQLiteConfig.class;
  }

  @Override
  public String settings(Settings settings) {
    return "journal_mode=WAL, "
        + (settings.durability() == Durability.FSYNC_PER_COMMIT ? "synchronous=FULL" : "synchronous=NORMAL")
        + ", table WITHOUT ROWID, busy_timeout=60 s, one connection per thread, no compression "
        + "(SQLite has none)";
  }

  @Override
  public void open(Path dir, Settings settings) {
    dir.toFile().mkdirs();
    url = "jdbc:sqlite:" + dir.resolve("sqlite.db");
    sessions = new ThreadLocal<>();
    config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(settings.durability() == Durability.FSYNC_PER_COMMIT
        ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(60_000);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    try (Connection connection = config.createConnection(url);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
    } catch (SQLException e) {
      throw new IllegalStateException("SQLite open of " + url + " failed", e);
    }
  }

  private Session session() {
    Session session = sessions.get();
    if (session == null) {
      try {
        Connection connection = config.createConnection(url);
        connections.add(connection);
        session = new Session(connection);
      } catch (SQLException e) {
        throw new IllegalStateException("SQLite open of " + url + " failed", e);
      }
      sessions.set(session);
    }
    return session;
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      PreparedStatement get = session().get;
      get.setBytes(1, key);
      try (ResultSet rows = get.executeQuery()) {
        return rows.next() ? rows.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      PreparedStatement put = session().put;
      put.setBytes(1, key);
      put.setBytes(2, value);
      put.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void putBatch(List<byte[]> keys, List<byte[]> values) {
    Session session = session();
    try {
      session.connection.setAutoCommit(false);
      for (int i = 0; i < keys.size(); i++) {
        session.put.setBytes(1, keys.get(i));
        session.put.setBytes(2, values.get(i));
        session.put.addBatch();
      }
      session.put.executeBatch();
      session.connection.commit();
      session.connection.setAutoCommit(true);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int scan(byte[] fromInclusive, int maxEntries) {
    try {
      PreparedStatement scan = session().scan;
      scan.setBytes(1, fromInclusive);
      scan.setInt(2, maxEntries);
      int count = 0;
      try (ResultSet rows = scan.executeQuery()) {
        while (rows.next()) {
          if (rows.getBytes(1).length + rows.getBytes(2).length < 0) {
            throw new IllegalStateException();
          }
          count++;
        }
      }
      return count;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long increment(byte[] key) {
    Session session = session();
    try {
      session.connection.setAutoCommit(false);
      session.get.setBytes(1, key);
      byte[] current;
      try (ResultSet rows = session.get.executeQuery()) {
        current = rows.next() ? rows.getBytes(1) : null;
      }
      byte[] next = Counters.incremented(current);
      session.put.setBytes(1, key);
      session.put.setBytes(2, next);
      session.put.executeUpdate();
      session.connection.commit();
      session.connection.setAutoCommit(true);
      return Counters.decode(next);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void compact() {
    // On a connection of its own: VACUUM refuses to run while a statement of its connection is in
    // progress, and the driver leaves a session's prepared put in progress after executeUpdate.
    try (Connection connection = config.createConnection(url);
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      statement.execute("VACUUM");
      statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String compaction() {
    return "PRAGMA wal_checkpoint(TRUNCATE), VACUUM";
  }

  @Override
  public void close() {
    try {
      for (Connection connection : connections) {
        connection.close();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    connections.clear();
  }
}
