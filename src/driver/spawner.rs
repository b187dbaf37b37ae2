//! The spawner: how every driver turns a start function and its arguments into a worker.

use crate::worker::Worker;

/// Creates the worker for each start attempt (an explicit `start_child` or a restart).
///
/// `function` and `args` come from the supervisor's [`Effect::Start`](crate::Effect::Start),
/// with the supervisor's extra arguments first. Every driver calls `spawn` exactly once per
/// start attempt, in attempt order, then runs the worker's [`init`](Worker::init) while the
/// supervisor waits, so a spawner may count attempts. A panic inside `spawn` is a failed start
/// with reason `panic`.
///
/// One spawner serves every driver: the simulator takes any spawner; a runtime that moves
/// workers to other threads also needs the spawner and its workers to be `Send`, which it
/// asks for where it needs it. Any `FnMut(&F, &[A]) -> Box<W>` closure is a spawner; with
/// [`BoxedWorker`](crate::BoxedWorker) it serves them all:
///
/// ```
/// use dynsup::{BoxedWorker, Context, Init, Spawner, Worker};
///
/// struct Echo;
/// impl Worker for Echo {
///     type Message = String;
///     type Call = ();
///     type Reply = ();
///     fn init(&mut self, _ctx: &mut Context<String>) -> Init {
///         Init::Ok
///     }
/// }
///
/// let mut spawner = |_function: &&str, _args: &[u32]| -> BoxedWorker<String> { Box::new(Echo) };
/// let mut worker = spawner.spawn(&"echo", &[]);
/// # let mut ctx = Context::new(dynsup::Pid(1), dynsup::Instant::ZERO);
/// assert_eq!(worker.init(&mut ctx), Init::Ok);
/// ```
pub trait Spawner<F, A> {
    /// The workers it makes (often `dyn Worker<...> + Send`, as in
    /// [`BoxedWorker`](crate::BoxedWorker)).
    type Worker: Worker + ?Sized;

    /// The worker for this start attempt; its `init` decides the outcome.
    fn spawn(&mut self, function: &F, args: &[A]) -> Box<Self::Worker>;
}

impl<F, A, W, T> Spawner<F, A> for T
where
    W: Worker + ?Sized,
    T: FnMut(&F, &[A]) -> Box<W>,
{
    type Worker = W;

    fn spawn(&mut self, function: &F, args: &[A]) -> Box<W> {
        self(function, args)
    }
}
