//! What the tree tests of both runtimes share (`tests/runtime_trees.rs` on threads,
//! `tests/tokio_trees.rs` on tokio): a test worker that traps exits and logs its init and its
//! terminate, the log and the count of live workers, and the child specs of the test trees.
#![allow(dead_code)] // Each test target uses its own part of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dynsup::runtime::BoxedWorker;
use dynsup::static_supervisor::{ChildPid, StaticChildSpec};
use dynsup::{ChildSpec, ChildType, Context, ExitReason, Init, Next, Pid, Worker};

/// What the test workers of one test share: the order of their inits and terminations, and
/// how many are alive (made and not yet dropped).
#[derive(Clone, Default)]
pub struct World {
    log: Arc<Mutex<Vec<String>>>,
    alive: Arc<AtomicUsize>,
}

impl World {
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn terminated(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter_map(|line| line.strip_prefix("terminate ").map(str::to_owned))
            .collect()
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

/// A worker that traps exits and logs its init and its terminate; a name starting with
/// `fail` fails its init.
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
        true
    }

    fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<Crash>) {
        self.world
            .log
            .lock()
            .unwrap()
            .push(format!("terminate {}", self.name));
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
