//! Spawners: how the simulator turns a start function into a worker.

use dynsup::Worker;

/// A boxed worker whose messages are `M`.
pub type BoxedWorker<M> = Box<dyn Worker<Message = M>>;

/// Creates the worker for each start attempt (an explicit start or a restart).
///
/// `function` and `args` come from the supervisor's [`dynsup::Effect::Start`], with the
/// supervisor's extra arguments first. The simulator calls `spawn` exactly once per start
/// attempt, in order, so a spawner may count attempts.
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
