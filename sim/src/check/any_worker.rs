//! Workers whose concrete type a test can get back from a boxed `dyn` worker: a spawner
//! that makes [`BoxedAnyWorker`]s serves the simulator and the runtimes like one that makes
//! `BoxedWorker`s, and [`Sim::worker_as`](super::Sim::worker_as) downcasts its workers.

use std::any::Any;

use dynsup::Worker;

/// Any `'static` worker, seen also as [`Any`] (implemented for every such worker).
pub trait AnyWorker: Worker {
    /// The worker as `Any`, to downcast to its concrete type.
    fn as_any(&self) -> &dyn Any;
}

impl<W: Worker + Any> AnyWorker for W {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A boxed worker with messages `M`, calls `C` and replies `R` that a test can downcast: what
/// a spawner returns instead of [`dynsup::BoxedWorker`] when tests want the concrete type.
pub type BoxedAnyWorker<M, C = (), R = ()> =
    Box<dyn AnyWorker<Message = M, Call = C, Reply = R> + Send>;
