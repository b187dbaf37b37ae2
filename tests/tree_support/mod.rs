//! What the tree tests of both runtimes share (`tests/runtime_trees.rs` on threads,
//! `tests/tokio_trees.rs` on tokio): a test worker that traps exits (unless its name starts
//! with `plain`) and logs its init and its terminate with the reason, the log, the count of
//! live workers, the child ends an observer saw, and the child specs of the test trees.
#![allow(dead_code)] // Each test target uses its own part of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dynsup::runtime::{BoxedWorker, Report};
use dynsup::static_supervisor::{ChildPid, StaticChildSpec};
use dynsup::{ChildSpec, ChildType, Context, ExitReason, Init, Next, Pid, Worker};

/// What the test workers of one test share: the order of their inits and terminations, and
/// how many are alive (made and not yet dropped).
#[derive(Clone, Default)]
pub struct World {
    log: Arc<Mutex<Vec<String>>>,
    alive: Arc<AtomicUsize>,
    downs: Arc<Mutex<Vec<(Pid, ExitReason)>>>,
    /// How long a worker whose name starts with `slow` sleeps in its `terminate`.
    slow: Arc<Mutex<Duration>>,
}

impl World {
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The names of the workers whose `terminate` ran, in order.
    pub fn terminated(&self) -> Vec<String> {
        self.terminations()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// The workers whose `terminate` ran, in order, each with the reason it was given.
    pub fn terminations(&self) -> Vec<(String, String)> {
        self.log()
            .into_iter()
            .filter_map(|line| {
                let rest = line.strip_prefix("terminate ")?;
                let (name, reason) = rest.split_once(' ')?;
                Some((name.to_owned(), reason.to_owned()))
            })
            .collect()
    }

    /// The reason `terminate` was given for each worker called `name`, in order.
    pub fn terminated_with(&self, name: &str) -> Vec<String> {
        self.terminations()
            .into_iter()
            .filter(|(n, _)| n == name)
            .map(|(_, reason)| reason)
            .collect()
    }

    /// An observer for a supervisor's builder: records every child end it reports (in the log
    /// too, as `down N REASON`).
    pub fn observer<E>(&self) -> impl FnMut(&Report<E>) + Send + 'static {
        let (downs, log) = (self.downs.clone(), self.log.clone());
        move |report: &Report<E>| {
            if let Report::ChildDown { pid, reason } = report {
                downs.lock().unwrap().push((*pid, reason.clone()));
                log.lock().unwrap().push(format!("down {} {reason}", pid.0));
            }
        }
    }

    /// The child ends the observers reported so far.
    pub fn downs(&self) -> Vec<(Pid, ExitReason)> {
        self.downs.lock().unwrap().clone()
    }

    /// How child `pid`'s end was reported, if it was.
    pub fn down_of(&self, pid: Pid) -> Option<ExitReason> {
        self.downs()
            .into_iter()
            .find(|(p, _)| *p == pid)
            .map(|(_, reason)| reason)
    }

    /// Workers whose name starts with `slow` sleep `time` in their `terminate` (a real sleep:
    /// for the threaded runtime).
    pub fn set_slow(&self, time: Duration) {
        *self.slow.lock().unwrap() = time;
    }

    pub fn spawner(
        &self,
    ) -> impl FnMut(&&'static str, &[()]) -> BoxedWorker<Crash> + Send + 'static {
        let world = self.clone();
        move |name: &&'static str, _: &[()]| -> BoxedWorker<Crash> {
            world.alive.fetch_add(1, Ordering::SeqCst);
            Box::new(Logged {
                name,
                world: world.clone(),
            })
        }
    }

    /// How many test workers are alive now.
    pub fn alive_now(&self) -> usize {
        self.alive.load(Ordering::SeqCst)
    }

    /// Waits (bounded, on the wall clock: for the threaded runtime) until `done` holds.
    pub fn eventually(&self, mut done: impl FnMut() -> bool) -> bool {
        for _ in 0..3000 {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Waits (bounded) until no test worker is alive.
    pub fn none_alive(&self) -> bool {
        for _ in 0..3000 {
            if self.alive.load(Ordering::SeqCst) == 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

/// The message that makes a test worker crash.
#[derive(Debug)]
pub struct Crash;

/// A worker that traps exits and logs its init and its terminate (with its reason); a name
/// starting with `fail` fails its init, one starting with `plain` does not trap exits, one
/// starting with `slow` sleeps in its terminate (see [`World::set_slow`]).
pub struct Logged {
    name: &'static str,
    world: World,
}

impl Worker for Logged {
    type Message = Crash;
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<Crash>) -> Init {
        self.world
            .log
            .lock()
            .unwrap()
            .push(format!("init {}", self.name));
        if self.name.starts_with("fail") {
            Init::Stop(ExitReason::other("boom"))
        } else {
            Init::Ok
        }
    }

    fn handle_message(&mut self, Crash: Crash, _ctx: &mut Context<Crash>) -> Next {
        Next::Stop(ExitReason::other("crash"))
    }

    fn traps_exits(&self) -> bool {
        !self.name.starts_with("plain")
    }

    fn terminate(&mut self, reason: &ExitReason, _ctx: &mut Context<Crash>) {
        if self.name.starts_with("slow") {
            let time = *self.world.slow.lock().unwrap();
            std::thread::sleep(time);
        }
        self.world
            .log
            .lock()
            .unwrap()
            .push(format!("terminate {} {reason}", self.name));
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        self.world.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

pub fn child(id: &'static str) -> StaticChildSpec<&'static str, &'static str, ()> {
    StaticChildSpec::new(id, ChildSpec::new(id, vec![]))
}

pub fn supervisor_child(id: &'static str) -> StaticChildSpec<&'static str, &'static str, ()> {
    StaticChildSpec::new(
        id,
        ChildSpec::new(id, vec![]).child_type(ChildType::Supervisor),
    )
}

pub fn running(pid: ChildPid) -> Pid {
    match pid {
        ChildPid::Running(pid) => pid,
        other => panic!("not running: {other:?}"),
    }
}
