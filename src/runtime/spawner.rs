//! Spawners: how the runtime turns a start function and its arguments into a worker to run on
//! a new thread (the same shape as the simulator's spawner, plus `Send`).

use crate::worker::Worker;

/// A worker the runtime can move to its own thread; its messages are `M`.
pub type BoxedWorker<M> = Box<dyn Worker<Message = M> + Send>;

/// Creates the worker for each start attempt (an explicit `start_child` or a restart).
///
/// `function` and `args` come from the supervisor's [`Effect::Start`](crate::Effect::Start),
/// with the supervisor's extra arguments first. The driver thread calls `spawn` exactly once
/// per start attempt, in order, then runs the worker's [`init`](Worker::init) on the child's
/// new thread while the supervisor waits for it. Any `FnMut(&F, &[A]) -> BoxedWorker<M>`
/// closure that is `Send + 'static` is a spawner:
///
/// ```
/// use dynsup::runtime::BoxedWorker;
/// use dynsup::{Init, Worker};
///
/// struct Echo;
/// impl Worker for Echo {
///     type Message = String;
///     fn init(&mut self) -> Init {
///         Init::Ok
///     }
/// }
///
/// let spawner = |_function: &&str, _args: &[u32]| -> BoxedWorker<String> { Box::new(Echo) };
/// # let _ = spawner;
/// ```
///
/// A panic inside `spawn` counts as a failed start with reason `panic`.
pub trait Spawner<F, A, M> {
    /// The worker for this start attempt; its `init` decides the outcome.
    fn spawn(&mut self, function: &F, args: &[A]) -> BoxedWorker<M>;
}

impl<F, A, M, T> Spawner<F, A, M> for T
where
    T: FnMut(&F, &[A]) -> BoxedWorker<M>,
{
    fn spawn(&mut self, function: &F, args: &[A]) -> BoxedWorker<M> {
        self(function, args)
    }
}
