//! The `Worker` trait: the behaviour of a supervised child, GenServer-style, run unchanged by
//! the simulator and by a real runtime.

use crate::exit_reason::ExitReason;

/// What a worker's `init` decided (GenServer's `init/1` return).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Init {
    /// `{:ok, state}`: the worker runs.
    Ok,
    /// `:ignore`: the worker declines to start; `start_child` returns `ignore`.
    Ignore,
    /// `{:stop, reason}`: the start fails with this reason.
    Stop(ExitReason),
}

/// What a worker does after handling a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Keep running.
    Continue,
    /// Exit with this reason.
    Stop(ExitReason),
}

/// How a worker that traps exits ends after it was asked to shut down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Termination {
    /// It exits at once with this reason.
    Exit(ExitReason),
    /// Its cleanup takes `millis` milliseconds, then it exits with `reason`.
    ExitAfter {
        /// How long the cleanup takes.
        millis: u64,
        /// The exit reason afterwards.
        reason: ExitReason,
    },
    /// It never exits by itself: only a kill ends it.
    Hang,
}

/// The behaviour of one child process.
///
/// A worker that does not trap exits dies at once with reason `shutdown` when its supervisor
/// asks it to stop; one that traps exits has [`terminate`](Worker::terminate) called and ends
/// as that says (unless it is killed first: its shutdown is `brutal_kill` or its timeout runs
/// out).
///
/// ```
/// use dynsup::{ExitReason, Init, Termination, Worker};
///
/// /// A worker that needs 200 ms to flush its buffers when asked to stop.
/// struct Flusher;
///
/// impl Worker for Flusher {
///     type Message = ();
///     fn init(&mut self) -> Init {
///         Init::Ok
///     }
///     fn traps_exits(&self) -> bool {
///         true
///     }
///     fn terminate(&mut self, reason: &ExitReason) -> Termination {
///         Termination::ExitAfter { millis: 200, reason: reason.clone() }
///     }
/// }
/// assert_eq!(Flusher.init(), Init::Ok);
/// ```
pub trait Worker {
    /// The messages this worker handles.
    type Message;

    /// Runs when the process starts, inside the supervisor's start: the supervisor waits.
    fn init(&mut self) -> Init;

    /// Whether the worker traps exits (decides how it reacts to a shutdown request).
    fn traps_exits(&self) -> bool {
        false
    }

    /// Handles one message.
    fn handle_message(&mut self, message: Self::Message) -> Next {
        let _ = message;
        Next::Continue
    }

    /// Called on a worker that traps exits when its supervisor asks it to stop with `reason`.
    fn terminate(&mut self, reason: &ExitReason) -> Termination {
        Termination::Exit(reason.clone())
    }
}
