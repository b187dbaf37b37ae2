//! Starting a DynamicSupervisor: validate the options in the caller, then start its driver
//! thread, as a root or as the child of another supervisor.

use crate::driver::Spawner;
use crate::options::Options;
use crate::runtime::core_seed::DynamicSeed;
use crate::runtime::error::StartLinkError;
use crate::runtime::handle::Supervisor;
use crate::runtime::launch::{child_supervisor, launch_root, Settings};
use crate::runtime::registry::Registry;
use crate::runtime::report::Report;
use crate::runtime::send_worker::SendWorker;
use crate::runtime::tree::ChildSupervisor;
use crate::supervisor::DynamicSupervisor;

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
pub struct Builder<F, A, S>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    seed: DynamicSeed<F, A>,
    spawner: S,
    settings: Settings<DynamicSupervisor<F, A>>,
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
            seed: DynamicSeed::new(options),
            spawner,
            settings: Settings::default(),
        }
    }

    /// Calls `observer` with every [`Report`], on the driver thread, as it happens. It should
    /// be quick: the supervisor waits for it. A panicking observer is removed.
    pub fn observer(mut self, observer: impl FnMut(&Report) + Send + 'static) -> Self {
        self.settings.observer = Some(Box::new(observer));
        self
    }

    /// At most `limit` child threads at once (at least 1; default
    /// [`default_thread_limit`](crate::runtime::default_thread_limit)): a start past it is
    /// refused with [`StartChildError::ThreadLimit`](crate::runtime::StartChildError), and a
    /// restart past it is a failed start. Threads of killed children that are still inside a
    /// callback count until they end. A child supervisor takes its tree's limit instead.
    pub fn thread_limit(mut self, limit: usize) -> Self {
        self.settings.thread_limit = Some(limit.max(1));
        self
    }

    /// Registers the supervisor under `name` in its [`Registry`] (OTP's `name:` option): a
    /// start under a name in use fails with `already_started`; the name is freed when the
    /// supervisor ends.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.settings.name = Some(name.into());
        self
    }

    /// Starts a root in `registry`'s runtime instance (its names and its pids) instead of a
    /// registry of its own. A child supervisor always uses its parent's.
    pub fn registry(mut self, registry: &Registry) -> Self {
        self.settings.registry = Some(registry.clone());
        self
    }

    /// Which starts are child supervisors: `supervisors(function, args)` is asked first for
    /// every start (restarts included) and its [`ChildSupervisor`] is started instead of a
    /// worker; `None` leaves the start to the spawner.
    pub fn supervisors(
        mut self,
        supervisors: impl FnMut(&F, &[A]) -> Option<ChildSupervisor> + Send + 'static,
    ) -> Self {
        self.settings.supervisors = Some(Box::new(supervisors));
        self
    }

    /// Validates the options (an invalid one is returned here, nothing is started), then
    /// starts the driver thread. The supervisor's clock starts now: its restart-intensity
    /// seconds count from this call.
    pub fn start_link(self) -> Result<Supervisor<F, A, S::Worker>, StartLinkError> {
        launch_root(
            self.seed,
            self.spawner,
            self.settings,
            Supervisor::from_link,
        )
    }

    /// This supervisor as the child of another (see [`ChildSupervisor`]): it starts when its
    /// parent starts it, with its parent's registry, pids and thread limit. Invalid options
    /// make that start fail with the reason `supervisor_data`.
    pub fn child(self) -> ChildSupervisor {
        child_supervisor(
            self.seed,
            self.spawner,
            self.settings,
            Supervisor::from_link,
        )
    }
}
