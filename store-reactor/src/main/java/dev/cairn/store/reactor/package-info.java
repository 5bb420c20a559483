/**
 * Project Reactor bindings for Cairn. {@link dev.cairn.store.reactor.ReactiveStore} wraps a {@link
 * dev.cairn.store.Store}: point reads and writes as {@code Mono}, scans and the change feed as
 * demand-driven {@code Flux}, and {@code watch} for the live value of one key. Blocking store calls
 * run on a blocking-capable scheduler, writes complete on the store's group commit, and cancelling
 * never interrupts a thread. The only dependencies are {@code store-core} and {@code reactor-core}.
 */
package dev.cairn.store.reactor;
