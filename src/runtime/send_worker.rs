//! What the threaded runtime needs of a worker type: it and everything it exchanges can move
//! between threads.

use crate::worker::Worker;

/// A [`Worker`] that the threaded runtime can run: the worker, its messages, calls and replies
/// are `Send + 'static`. Implemented for every such worker type, boxed ones included
/// ([`DynWorker`](crate::DynWorker)).
pub trait SendWorker:
    Worker<Message: Send + 'static, Call: Send + 'static, Reply: Send + 'static> + Send + 'static
{
}

impl<W> SendWorker for W where
    W: Worker<Message: Send + 'static, Call: Send + 'static, Reply: Send + 'static>
        + Send
        + 'static
        + ?Sized
{
}
