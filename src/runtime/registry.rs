//! The name registry of one runtime instance: supervisors registered under a name (OTP's
//! `name: MyApp.WorkerSupervisor`), reached by it, and the name freed when the process ends.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;

use crate::driver::Pids;
use crate::pid::Pid;
use crate::sync::{lock, Arc, Mutex};

/// One registered name: the process and a handle to reach it (of the supervisor's own handle
/// type, which [`Registry::lookup`] asks for).
struct Entry {
    pid: Pid,
    handle: Box<dyn Any + Send + Sync>,
}

/// One runtime instance: names to supervisors, and the pid allocator, shared by every
/// supervisor of a tree (and by every root given the same registry with `registry(..)` on its
/// builder). Clones share them. A root started without one gets a registry of its own.
///
/// A name is taken when its supervisor starts (a start under a name in use fails with OTP's
/// `already_started` and the pid that holds it) and freed when that supervisor's process ends,
/// however it ends. A handle found here is not the supervisor's link to its parent: dropping it
/// does nothing to the supervisor.
///
/// ```
/// use dynsup::runtime::{BoxedWorker, Registry, StartLinkError, Supervisor};
/// use dynsup::{Context, DynWorker, ExitReason, Init, Options, Worker};
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
/// let spawner = |_: &&str, _: &[()]| -> BoxedWorker<()> { Box::new(Idle) };
///
/// let registry = Registry::new();
/// let sup = Supervisor::builder(Options::default(), spawner)
///     .name("sessions")
///     .registry(&registry)
///     .start_link()
///     .unwrap();
/// let pid = registry.whereis("sessions").unwrap();
/// let found: Supervisor<&str, (), DynWorker<()>> = registry.lookup("sessions").unwrap();
/// assert_eq!(found.count_children().unwrap().active, 0);
///
/// // A second supervisor under the same name: already_started.
/// let again = Supervisor::builder(Options::default(), spawner)
///     .name("sessions")
///     .registry(&registry)
///     .start_link();
/// assert_eq!(again.err(), Some(StartLinkError::AlreadyStarted(pid)));
///
/// // The name is freed when the supervisor ends.
/// sup.stop(ExitReason::Normal, None).unwrap();
/// assert_eq!(registry.whereis("sessions"), None);
/// ```
#[derive(Clone)]
pub struct Registry {
    names: Arc<Mutex<BTreeMap<String, Entry>>>,
    pids: Pids,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.names()).finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            names: Arc::new(Mutex::new(BTreeMap::new())),
            pids: Pids::new(),
        }
    }
}

impl Registry {
    /// An empty registry, whose pids start at 1.
    pub fn new() -> Self {
        Registry::default()
    }

    /// The pid registered under `name` (`Process.whereis/1`).
    pub fn whereis(&self, name: &str) -> Option<Pid> {
        lock(&self.names).get(name).map(|entry| entry.pid)
    }

    /// A handle to the supervisor registered under `name`, if there is one and its handle is
    /// of type `H` (for example `Supervisor<F, A, W>` or `StaticSupervisor<I, F, A, W>` of the
    /// threaded runtime).
    pub fn lookup<H: Clone + 'static>(&self, name: &str) -> Option<H> {
        lock(&self.names)
            .get(name)
            .and_then(|entry| entry.handle.downcast_ref::<H>())
            .cloned()
    }

    /// The pid allocator of this runtime instance: every supervisor started with this
    /// registry, and every supervisor of their trees, numbers its processes from it.
    pub fn pids(&self) -> &Pids {
        &self.pids
    }

    /// Every registered name with its pid, in name order.
    pub fn names(&self) -> Vec<(String, Pid)> {
        lock(&self.names)
            .iter()
            .map(|(name, entry)| (name.clone(), entry.pid))
            .collect()
    }

    /// Registers `handle` of process `pid` under `name`; `Err(holder)` when the name is taken.
    pub(crate) fn register<H: Any + Send + Sync>(
        &self,
        name: &str,
        pid: Pid,
        handle: H,
    ) -> Result<(), Pid> {
        let mut names = lock(&self.names);
        if let Some(entry) = names.get(name) {
            return Err(entry.pid);
        }
        let handle: Box<dyn Any + Send + Sync> = Box::new(handle);
        names.insert(name.to_owned(), Entry { pid, handle });
        Ok(())
    }

    /// Frees every name `pid` holds: a killed child supervisor is dead to its tree at once,
    /// even while it still takes its subtree down.
    pub(crate) fn unregister_pid(&self, pid: Pid) {
        let mut names = lock(&self.names);
        let mut freed = Vec::new();
        while let Some(name) = names
            .iter()
            .find(|(_, entry)| entry.pid == pid)
            .map(|(name, _)| name.clone())
        {
            freed.extend(names.remove(&name));
        }
        drop(names);
        drop(freed);
    }

    /// Frees `name` if `pid` still holds it; the handle is dropped outside the lock.
    pub(crate) fn unregister(&self, name: &str, pid: Pid) {
        let mut names = lock(&self.names);
        let removed = match names.get(name) {
            Some(entry) if entry.pid == pid => names.remove(name),
            _ => None,
        };
        drop(names);
        drop(removed);
    }
}
