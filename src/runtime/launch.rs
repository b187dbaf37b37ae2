//! Starting a supervisor of either core, as a root (its caller waits for the start-up) or as
//! the child of another (its parent waits): the one place that makes a driver and its thread.

use crate::driver::{Core, Host, Spawner};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::channel::Recv;
use crate::runtime::channel::{channel, Sender};
use crate::runtime::child::ChildNote;
use crate::runtime::clock::Clock;
use crate::runtime::core_seed::CoreSeed;
use crate::runtime::driver::{Driver, Input, Observer, Parts, RuntimeCore, StartUp, StartUpWaiter};
use crate::runtime::link::Link;
use crate::runtime::oneshot::reply_slot;
use crate::runtime::registry::Registry;
use crate::runtime::runtime_core::{already_started, RootError};
use crate::runtime::send_worker::SendWorker;
use crate::runtime::thread_limit::default_thread_limit;
use crate::runtime::tree::{ChildSupervisor, SubtreeControl, SupervisorChildren, TreeLink};
use crate::runtime::watch::{ThreadToken, Watch};
use crate::sync::{thread, Arc, Mutex};
use crate::worker::Init;

/// The optional settings of a supervisor about to start, whichever its core.
pub(crate) struct Settings<C: RuntimeCore> {
    pub(crate) observer: Option<Observer<C::Event>>,
    pub(crate) thread_limit: Option<usize>,
    pub(crate) name: Option<String>,
    pub(crate) registry: Option<Registry>,
    pub(crate) supervisors: Option<SupervisorChildren<C::Function, C::Arg>>,
}

impl<C: RuntimeCore> Default for Settings<C> {
    fn default() -> Self {
        Settings {
            observer: None,
            thread_limit: None,
            name: None,
            registry: None,
            supervisors: None,
        }
    }
}

/// A handle type made from a link (the dynamic or the static one).
pub(crate) type Wrap<C, W, H> = fn(Arc<Link<C, W>>) -> H;

/// How a parent signals a child supervisor: through its mailbox.
struct MailboxControl<C: RuntimeCore, W: SendWorker + ?Sized> {
    mailbox: Sender<Input<C, W>>,
}

impl<C: RuntimeCore, W: SendWorker + ?Sized> SubtreeControl for MailboxControl<C, W> {
    fn signal(&self, reason: ExitReason) {
        // The child supervisor may have just exited: its exit is in the parent's mailbox.
        let _ = self.mailbox.send(Input::ParentExit(reason));
    }

    fn kill(&self) {
        // Likewise: a child supervisor that has just exited has nothing left to kill.
        let _ = self.mailbox.send(Input::Killed);
    }
}

/// A new link (unlinked) on `clock` and the mailbox's receiving end.
fn new_link<C: RuntimeCore, W: SendWorker + ?Sized>(
    clock: Clock,
    registry: Registry,
    pid: Option<Pid>,
    threads: Arc<Watch<usize>>,
    thread_limit: usize,
) -> (Link<C, W>, crate::runtime::channel::Receiver<Input<C, W>>) {
    let (mailbox_sender, mailbox) = channel();
    let link = Link {
        mailbox: mailbox_sender,
        clock,
        status: Arc::new(Watch::new(None)),
        threads,
        thread_limit,
        registry,
        pid,
        driver: Mutex::new(None),
        linked: false,
    };
    (link, mailbox)
}

/// The driver of `core` behind `link`.
#[allow(clippy::too_many_arguments)]
fn driver<C, S>(
    core: C,
    spawner: S,
    link: &Link<C, S::Worker>,
    mailbox: crate::runtime::channel::Receiver<Input<C, S::Worker>>,
    settings: Settings<C>,
    name: Option<(String, Pid)>,
    start_up: StartUpWaiter<C::StartUpError>,
    on_exit: Option<Box<dyn FnOnce(ExitReason) + Send>>,
) -> Driver<C, S>
where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
{
    Driver::new(Parts {
        host: Host::with_pids(core, link.registry.pids().clone()),
        spawner,
        supervisors: settings.supervisors,
        clock: link.clock,
        mailbox,
        mailbox_sender: link.mailbox.clone(),
        observer: settings.observer,
        status: link.status.clone(),
        threads: link.threads.clone(),
        thread_limit: link.thread_limit,
        registry: link.registry.clone(),
        name,
        start_up,
        on_exit,
    })
}

/// Starts a root made from `seed`, validated first (nothing starts if it is invalid), and
/// waits for its start-up; its handle (made by `wrap`) is the supervisor's link to its caller.
pub(crate) fn launch_root<P, S, H>(
    seed: P,
    spawner: S,
    settings: Settings<P::Core>,
    wrap: Wrap<P::Core, S::Worker, H>,
) -> Result<H, P::Error>
where
    P: CoreSeed,
    S: Spawner<<P::Core as Core>::Function, <P::Core as Core>::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    let core = seed.root_core()?;
    Ok(start_root(core, spawner, settings, wrap)?)
}

/// A supervisor made from `seed` as the child of another: validated when its parent starts
/// it (invalid makings fail that start).
pub(crate) fn child_supervisor<P, S, H>(
    seed: P,
    spawner: S,
    settings: Settings<P::Core>,
    wrap: Wrap<P::Core, S::Worker, H>,
) -> ChildSupervisor
where
    P: CoreSeed,
    S: Spawner<<P::Core as Core>::Function, <P::Core as Core>::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    ChildSupervisor::new(move |tree| start_child(seed.child_core()?, spawner, settings, wrap, tree))
}

/// Starts `core` as a root and waits for its start-up; its handle (made by `wrap`) is the
/// supervisor's link to its caller.
fn start_root<C, S, H>(
    core: C,
    spawner: S,
    mut settings: Settings<C>,
    wrap: Wrap<C, S::Worker, H>,
) -> Result<H, RootError<C::StartUpError>>
where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    let registry = settings.registry.take().unwrap_or_default();
    let name = settings.name.take();
    let pid = name.as_ref().map(|_| registry.pids().next());
    let thread_limit = settings.thread_limit.unwrap_or_else(default_thread_limit);
    // A root starts the tree's clock.
    let (mut link, mailbox) = new_link(
        Clock::start(),
        registry,
        pid,
        Arc::new(Watch::new(0)),
        thread_limit,
    );
    let name = match (name, pid) {
        (Some(name), Some(pid)) => {
            let found = wrap(Arc::new(link.unlinked()));
            link.registry
                .register(&name, pid, found)
                .map_err(RootError::AlreadyStarted)?;
            Some((name, pid))
        }
        _ => None,
    };
    // A core without a start-up is started as soon as its driver runs: nothing to wait for
    // (and no synchronisation more than before trees existed, for the loom models).
    let has_start_up = core.has_start_up();
    let (answer, mut start_up) = reply_slot::<StartUp<C::StartUpError>>();
    let waiter: StartUpWaiter<C::StartUpError> = if has_start_up {
        Box::new(move |outcome| {
            // The caller waits in `start_link` until it gets this.
            let _ = answer.send(outcome);
        })
    } else {
        drop(answer);
        Box::new(|_| {})
    };
    let driver = driver(core, spawner, &link, mailbox, settings, name, waiter, None);
    let join = thread::Builder::new()
        .name("dynsup-supervisor".into())
        .spawn(move || driver.run())
        .map_err(|err| RootError::Spawn(err.to_string()))?;
    *crate::sync::lock(&link.driver) = Some(join);
    if !has_start_up {
        link.linked = true;
        return Ok(wrap(Arc::new(link)));
    }
    let outcome = loop {
        match start_up.recv() {
            Recv::Message(outcome) => break outcome,
            Recv::Closed => break StartUp::Exited(ExitReason::other("driver_panic")),
            Recv::Empty => {}
        }
    };
    match outcome {
        StartUp::Done => {
            link.linked = true;
            Ok(wrap(Arc::new(link)))
        }
        StartUp::Failed(error) => {
            link.wait_exit_until(None);
            Err(RootError::StartUp(error))
        }
        StartUp::Exited(reason) => {
            link.wait_exit_until(None);
            Err(RootError::Exited(reason))
        }
    }
}

/// Starts `core` as a child supervisor in its place `tree`; its start-up's answer and, after a
/// successful one, its exit go to the parent as the child's notes.
fn start_child<C, S, H>(
    core: C,
    spawner: S,
    mut settings: Settings<C>,
    wrap: Wrap<C, S::Worker, H>,
    tree: TreeLink,
) -> Result<Box<dyn SubtreeControl>, ExitReason>
where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    let pid = tree.pid;
    let (link, mailbox) = new_link(
        tree.clock,
        tree.registry,
        Some(pid),
        tree.threads,
        tree.thread_limit,
    );
    let name = match settings.name.take() {
        Some(name) => {
            let found = wrap(Arc::new(link.unlinked()));
            link.registry
                .register(&name, pid, found)
                .map_err(already_started)?;
            Some((name, pid))
        }
        None => None,
    };
    // Shared by the start-up's answer and the exit's (a sized Arc: loom's has no coercion).
    let notify = Arc::new(tree.notify);
    let on_start_up = notify.clone();
    let waiter: StartUpWaiter<C::StartUpError> = Box::new(move |outcome| {
        let init = match outcome {
            StartUp::Done => Init::Ok,
            StartUp::Failed(error) => Init::Stop(C::start_up_reason(&error)),
            StartUp::Exited(reason) => Init::Stop(reason),
        };
        on_start_up(ChildNote::Started { pid, init });
    });
    let on_exit: Box<dyn FnOnce(ExitReason) + Send> =
        Box::new(move |reason| notify(ChildNote::Exited { pid, reason }));
    let control = MailboxControl {
        mailbox: link.mailbox.clone(),
    };
    let token = ThreadToken::new(&link.threads);
    let driver = driver(
        core,
        spawner,
        &link,
        mailbox,
        settings,
        name,
        waiter,
        Some(on_exit),
    );
    thread::Builder::new()
        .name(format!("dynsup-supervisor-{}", pid.0))
        .spawn(move || {
            let _token = token;
            driver.run();
        })
        .map_err(|_| ExitReason::other("thread_spawn_failed"))?;
    Ok(Box::new(control))
}
