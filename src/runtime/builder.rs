//! Starting a supervisor: validate the options in the caller, then spawn the driver thread.

use std::marker::PhantomData;

use crate::driver::{Host, Spawner};
use crate::options::Options;
use crate::runtime::channel::channel;
use crate::runtime::clock::Clock;
use crate::runtime::driver::{Driver, Observer, Parts};
use crate::runtime::error::StartLinkError;
use crate::runtime::handle::Supervisor;
use crate::runtime::report::Report;
use crate::runtime::send_worker::SendWorker;
use crate::runtime::thread_limit::default_thread_limit;
use crate::runtime::watch::Watch;
use crate::supervisor::DynamicSupervisor;
use crate::sync::thread;
use crate::sync::Arc;

/// A supervisor about to start, with optional settings; [`Supervisor::start_link`] is the
/// short form without them.
///
/// ```
/// use dynsup::runtime::{Report, Supervisor};
/// use dynsup::{BoxedWorker, Context, Init, Options, Worker};
///
/// struct Idle;
/// impl Worker for Idle {
///     type Message = ();
///     type Call = ();
///     type Reply = ();
///     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
///         Init::Ok
///     }
/// }
///
/// let sup = Supervisor::builder(Options::<()>::default(), |_: &&str, _: &[()]| {
///     Box::new(Idle) as BoxedWorker<()>
/// })
/// .observer(|report: &Report| eprintln!("{report:?}"))
/// .start_link()
/// .unwrap();
/// sup.stop(dynsup::ExitReason::Normal, None).unwrap();
/// ```
pub struct Builder<F, A, S> {
    options: Options<A>,
    spawner: S,
    observer: Option<Observer>,
    thread_limit: Option<usize>,
    types: PhantomData<fn() -> F>,
}

impl<F, A, S> Builder<F, A, S>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    S: Spawner<F, A> + Send + 'static,
    S::Worker: SendWorker,
{
    /// A supervisor with these options, whose children `spawner` makes.
    pub fn new(options: Options<A>, spawner: S) -> Self {
        Builder {
            options,
            spawner,
            observer: None,
            thread_limit: None,
            types: PhantomData,
        }
    }

    /// Calls `observer` with every [`Report`], on the driver thread, as it happens. It should
    /// be quick: the supervisor waits for it. A panicking observer is removed.
    pub fn observer(mut self, observer: impl FnMut(&Report) + Send + 'static) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// At most `limit` child threads at once (at least 1; default
    /// [`default_thread_limit`](crate::runtime::default_thread_limit)): a start past it is
    /// refused with [`StartChildError::ThreadLimit`](crate::runtime::StartChildError), and a
    /// restart past it is a failed start. Threads of killed children that are still inside a
    /// callback count until they end.
    pub fn thread_limit(mut self, limit: usize) -> Self {
        self.thread_limit = Some(limit.max(1));
        self
    }

    /// Validates the options (an invalid one is returned here, nothing is started), then
    /// starts the driver thread. The supervisor's clock starts now: its restart-intensity
    /// seconds count from this call.
    pub fn start_link(self) -> Result<Supervisor<F, A, S::Worker>, StartLinkError> {
        let core = DynamicSupervisor::with_options(self.options)?;
        let clock = Clock::start();
        let (mailbox_sender, mailbox) = channel();
        let status = Arc::new(Watch::new(None));
        let threads = Arc::new(Watch::new(0));
        let thread_limit = self.thread_limit.unwrap_or_else(default_thread_limit);
        let driver = Driver::new(Parts {
            host: Host::new(core),
            spawner: self.spawner,
            clock,
            mailbox,
            mailbox_sender: mailbox_sender.clone(),
            observer: self.observer,
            status: status.clone(),
            threads: threads.clone(),
            thread_limit,
        });
        let join = thread::Builder::new()
            .name("dynsup-supervisor".into())
            .spawn(move || driver.run())
            .map_err(|err| StartLinkError::Spawn(err.to_string()))?;
        Ok(Supervisor::new(
            mailbox_sender,
            clock,
            status,
            threads,
            thread_limit,
            join,
        ))
    }
}
