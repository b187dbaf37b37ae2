// The worked example's worker and check body, as a user writes them (public API only).
// Shared by `sim/tests/testing_your_workers.rs` and the `bench` workload of the same name
// (`sim/src/bench/user_check.rs`), each of which includes this file.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use dynsup::{Answer, ChildSpec, Config, Context, Init, Options, Pid, Restart, Worker};
use dynsup_sim::check::{ensure_eq, Failed, Sim};

/// The database the sessions persist to: each user's cart.
type Store = Rc<RefCell<BTreeMap<String, Vec<u32>>>>;

/// What a test asks a session (each acknowledged, so the test knows what happened).
enum Request {
    Add(u32),
    Remove(u32),
    Items,
}

/// A session's answers.
#[derive(Debug, PartialEq)]
enum Response {
    Done,
    Items(Vec<u32>),
}

/// One user's session: their cart, persisted to the store on every change, reloaded on start.
struct UserSession {
    user: String,
    items: Vec<u32>,
    store: Store,
    /// The bug: without it, a removal is not persisted.
    persists_removals: bool,
}

impl UserSession {
    fn persist(&self) {
        self.store
            .borrow_mut()
            .insert(self.user.clone(), self.items.clone());
    }
}

impl Worker for UserSession {
    type Message = ();
    type Call = Request;
    type Reply = Response;

    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        self.items = self
            .store
            .borrow()
            .get(&self.user)
            .cloned()
            .unwrap_or_default();
        Init::Ok
    }

    fn handle_call(&mut self, request: Request, _ctx: &mut Context<()>) -> Answer<Response> {
        match request {
            Request::Add(item) => {
                self.items.push(item);
                self.persist();
                Answer::Reply(Response::Done)
            }
            Request::Remove(item) => {
                if let Some(at) = self.items.iter().position(|&i| i == item) {
                    self.items.remove(at);
                }
                if self.persists_removals {
                    self.persist();
                }
                Answer::Reply(Response::Done)
            }
            Request::Items => Answer::Reply(Response::Items(self.items.clone())),
        }
    }
}

/// The spawner: makes a session for a start function and its arguments (the user's name).
type Spawn = Box<dyn FnMut(&&'static str, &[String]) -> Box<UserSession>>;

/// A fresh spawner (with a fresh store) for every run.
fn sessions(persists_removals: bool) -> impl FnMut() -> Spawn {
    move || {
        let store = Store::default();
        Box::new(move |_: &&'static str, args: &[String]| {
            Box::new(UserSession {
                user: args.first().cloned().unwrap_or_default(),
                items: Vec::new(),
                store: Rc::clone(&store),
                persists_removals,
            })
        })
    }
}

const USERS: [&str; 3] = ["alice", "bob", "charlie"];

fn config() -> Config<String> {
    Options::default()
        .max_restarts(100)
        .max_seconds(1)
        .validate()
        .expect("valid options")
}

/// The live session of `user`, found by looking at the workers' own state.
fn session(sim: &Sim<&'static str, String, Spawn>, user: &str) -> Option<Pid> {
    sim.live_children()
        .into_iter()
        .find(|&pid| sim.worker(pid).is_some_and(|session| session.user == user))
}

/// The test body: random operations on three users' sessions; after every acknowledged change
/// the test's own model of the carts is updated, and a read must agree with it, whatever
/// crashed and restarted in between.
fn body(sim: &mut Sim<&'static str, String, Spawn>) -> Result<(), Failed> {
    let mut carts: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut started = Vec::new();
    while let Some(op) = sim.operation(5) {
        let user = *sim.pick(&USERS).unwrap_or(&"alice");
        let pid = session(sim, user);
        match (op, pid) {
            (0, _) if !started.contains(&user) => {
                started.push(user);
                let spec =
                    ChildSpec::new("session", vec![user.to_string()]).restart(Restart::Permanent);
                sim.start_child(spec)?;
            }
            (1, Some(pid)) => {
                let item = sim.draw(4) as u32;
                if sim.call(pid, Request::Add(item), 1_000)? == Ok(Response::Done) {
                    carts.entry(user).or_default().push(item);
                }
            }
            (2, Some(pid)) => {
                let item = sim.draw(4) as u32;
                if sim.call(pid, Request::Remove(item), 1_000)? == Ok(Response::Done) {
                    let cart = carts.entry(user).or_default();
                    if let Some(at) = cart.iter().position(|&i| i == item) {
                        cart.remove(at);
                    }
                }
            }
            (3, Some(pid)) => {
                if let Ok(Response::Items(items)) = sim.call(pid, Request::Items, 1_000)? {
                    let expected = carts.get(user).cloned().unwrap_or_default();
                    ensure_eq(items, expected, format!("{user}'s cart after a restart"))?;
                }
            }
            (4, _) => {
                let millis = sim.draw(2_000);
                sim.advance(millis)?;
            }
            _ => {}
        }
    }
    Ok(())
}
