//! The one door to synchronisation: std's primitives normally, loom's under `cfg(loom)`, with
//! identical signatures (the pattern of tokio's `src/loom/`).
//!
//! Nothing else in the crate names `std::sync` or `std::thread`: the threaded runtime takes
//! its `Arc`, `Mutex`, `Condvar` and threads from here, so the loom models in
//! `tests/loom_*.rs` explore the same code that runs in production. The helpers at the bottom
//! hide lock poisoning (a panic while holding one of our locks cannot leave the protected
//! state half-updated, so the data is used as it is).

#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Threads.
pub(crate) mod thread {
    #[cfg(not(loom))]
    pub(crate) use std::thread::{Builder, JoinHandle};

    #[cfg(loom)]
    pub(crate) use loom::thread::{Builder, JoinHandle};
}

/// Locks `mutex`, ignoring poisoning.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits on `condvar` until notified (or woken spuriously), ignoring poisoning.
pub(crate) fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    condvar
        .wait(guard)
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits on `condvar` until notified, woken spuriously, or `timeout` passed, ignoring
/// poisoning. Callers re-check their condition and their deadline afterwards. (Under loom a
/// timed wait never times out: it is a plain wait.)
pub(crate) fn wait_timeout<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: std::time::Duration,
) -> MutexGuard<'a, T> {
    match condvar.wait_timeout(guard, timeout) {
        Ok((guard, _)) => guard,
        Err(poisoned) => poisoned.into_inner().0,
    }
}
