package dev.cairn.store.reactor;

import dev.cairn.store.ChangeCursor;
import dev.cairn.store.ChangeQuery;
import dev.cairn.store.Cursor;
import dev.cairn.store.KeyRange;
import dev.cairn.store.Snapshot;
import dev.cairn.store.Store;
import dev.cairn.store.StoreStats;
import dev.cairn.store.WriteBatch;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** A {@link Store} that forwards every call to another; tests override the calls they observe. */
class ForwardingStore implements Store {
  final Store delegate;

  ForwardingStore(Store delegate) {
    this.delegate = delegate;
  }

  @Override
  public Path directory() {
    return delegate.directory();
  }

  @Override
  public byte[] get(byte[] key) {
    return delegate.get(key);
  }

  @Override
  public long put(byte[] key, byte[] value) {
    return delegate.put(key, value);
  }

  @Override
  public boolean delete(byte[] key) {
    return delegate.delete(key);
  }

  @Override
  public boolean compareAndSet(byte[] key, byte[] expected, byte[] newValue) {
    return delegate.compareAndSet(key, expected, newValue);
  }

  @Override
  public byte[] update(byte[] key, UnaryOperator<byte[]> fn) {
    return delegate.update(key, fn);
  }

  @Override
  public long write(WriteBatch batch) {
    return delegate.write(batch);
  }

  @Override
  public CompletableFuture<Long> writeAsync(WriteBatch batch) {
    return delegate.writeAsync(batch);
  }

  @Override
  public Cursor scan(KeyRange range) {
    return delegate.scan(range);
  }

  @Override
  public Snapshot snapshot() {
    return delegate.snapshot();
  }

  @Override
  public ChangeCursor changes(ChangeQuery query) {
    return delegate.changes(query);
  }

  @Override
  public long lastSequence() {
    return delegate.lastSequence();
  }

  @Override
  public StoreStats stats() {
    return delegate.stats();
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public void compact() {
    delegate.compact();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
