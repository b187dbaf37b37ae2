//! The Worker API: the behaviour of a supervised child, GenServer-style, written once and run
//! unchanged by the deterministic simulator and by every runtime.
//!
//! A worker is a synchronous state machine. Each callback gets a [`Context`] (its own pid, the
//! current time, timers) and returns quickly; waiting is expressed as messages and timers, not
//! as blocking. That is what lets the simulator run it in virtual time and the runtimes run it
//! on a thread or a task. `docs/worker-api.md` explains the choice.

mod context;
mod timers;

pub use context::{Context, TimerRef};
pub use timers::Timers;

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

/// How a worker answers a call (GenServer's `handle_call/3` returns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer<R> {
    /// `{:reply, reply, state}`: reply and keep running.
    Reply(R),
    /// `{:stop, reason, reply, state}`: reply, then exit with this reason.
    ReplyAndStop(R, ExitReason),
    /// `{:stop, reason, state}`: exit with this reason without replying; the caller sees the
    /// exit.
    Stop(ExitReason),
}

/// The exit reason of a worker that was called but does not handle calls (GenServer crashes
/// the same way when `handle_call/3` is missing).
pub const UNHANDLED_CALL: &str = "unhandled_call";

/// The behaviour of one child process.
///
/// * [`init`](Worker::init) runs when the process starts, inside the supervisor's start: the
///   supervisor waits for it.
/// * [`handle_message`](Worker::handle_message) handles fire-and-forget messages (GenServer's
///   `cast` and `info`), including the messages of its own timers
///   ([`Context::send_after`]).
/// * [`handle_call`](Worker::handle_call) answers a request whose caller waits, with a timeout
///   on the caller's side (GenServer's `call`).
/// * [`terminate`](Worker::terminate) runs when a worker that traps exits is asked to shut
///   down; it does its cleanup and returns, and the process then exits with the reason it was
///   given. A worker that does not trap exits dies at once with reason `shutdown`, and a kill
///   (a `brutal_kill` shutdown or an expired shutdown timeout) ends any worker without running
///   anything more.
///
/// A panic in any callback (or in the spawner that makes the worker) is an exit with reason
/// `panic`, in the simulator exactly as on the runtimes.
///
/// ```
/// use dynsup::{Answer, Context, ExitReason, Init, Next, Worker};
///
/// /// Counts ticks; a timer ticks it every second; a call reads the count.
/// struct Ticker {
///     ticks: u64,
/// }
///
/// enum Tick {
///     Tick,
/// }
///
/// impl Worker for Ticker {
///     type Message = Tick;
///     type Call = ();
///     type Reply = u64;
///
///     fn init(&mut self, ctx: &mut Context<Tick>) -> Init {
///         ctx.send_after(1000, Tick::Tick);
///         Init::Ok
///     }
///
///     fn handle_message(&mut self, Tick::Tick: Tick, ctx: &mut Context<Tick>) -> Next {
///         self.ticks += 1;
///         ctx.send_after(1000, Tick::Tick);
///         Next::Continue
///     }
///
///     fn handle_call(&mut self, (): (), _ctx: &mut Context<Tick>) -> Answer<u64> {
///         Answer::Reply(self.ticks)
///     }
/// }
/// # let mut ctx = Context::new(dynsup::Pid(1), dynsup::Instant::ZERO);
/// # let mut ticker = Ticker { ticks: 0 };
/// # assert_eq!(ticker.init(&mut ctx), Init::Ok);
/// # assert_eq!(ticker.handle_call((), &mut ctx), Answer::Reply(0));
/// ```
pub trait Worker {
    /// The fire-and-forget messages this worker handles (its timers send these too).
    type Message;
    /// The requests of [`handle_call`](Worker::handle_call); `()` for a worker without calls.
    type Call;
    /// The replies of [`handle_call`](Worker::handle_call); `()` for a worker without calls.
    type Reply;

    /// Runs when the process starts, inside the supervisor's start: the supervisor waits.
    fn init(&mut self, ctx: &mut Context<Self::Message>) -> Init;

    /// Whether the worker traps exits: a trapping worker gets [`terminate`](Worker::terminate)
    /// when asked to shut down; any other dies at once with reason `shutdown`.
    fn traps_exits(&self) -> bool {
        false
    }

    /// Handles one message.
    fn handle_message(&mut self, message: Self::Message, ctx: &mut Context<Self::Message>) -> Next {
        let _ = (message, ctx);
        Next::Continue
    }

    /// Answers one call. The default crashes the worker with reason [`UNHANDLED_CALL`], as a
    /// GenServer without `handle_call/3` does.
    fn handle_call(
        &mut self,
        request: Self::Call,
        ctx: &mut Context<Self::Message>,
    ) -> Answer<Self::Reply> {
        let _ = (request, ctx);
        Answer::Stop(ExitReason::other(UNHANDLED_CALL))
    }

    /// Called on a worker that traps exits when its supervisor asks it to stop with `reason`:
    /// do the cleanup and return; the process then exits with `reason`. Timers set here never
    /// fire.
    fn terminate(&mut self, reason: &ExitReason, ctx: &mut Context<Self::Message>) {
        let _ = (reason, ctx);
    }
}

/// Any worker with messages `M`, calls `C` and replies `R` that can move between threads: the
/// worker type of a spawner that makes [`BoxedWorker`]s.
pub type DynWorker<M, C = (), R = ()> = dyn Worker<Message = M, Call = C, Reply = R> + Send;

/// A worker boxed for any driver: the simulator and the runtimes all accept it (it is
/// `Send`). `C` and `R` are its call and reply types.
pub type BoxedWorker<M, C = (), R = ()> = Box<DynWorker<M, C, R>>;
