//! Kata 68, "Dynamic Supervisors", runnable: the kata's application tree on the threaded
//! runtime, an application `Supervisor` (one_for_one) with a DynamicSupervisor child named
//! `MyApp.WorkerSupervisor`, workers started on it by name with a tuple-like and a map-like
//! child spec, `which_children` and `count_children` printed in the kata's shapes, and the
//! kata's four pitfalls with what dynsup does about each.
//!
//! ```text
//! cargo run --example kata_68
//! ```
//!
//! `tests/examples_output.rs` checks what it prints, line for line.

use std::io::Write;

use dynsup::runtime::{
    BoxedWorker, ChildSupervisor, StartChildError, StaticSupervisor, Supervisor,
};
use dynsup::static_supervisor::{ChildPid, ChildRow, Flags, StaticChildSpec};
use dynsup::{
    ChildCounts, ChildInfo, ChildSpec, ChildType, Context, DynWorker, ExitReason, Init,
    MaxChildren, Modules, Options, Pid, Restart, Started, Strategy, Worker,
};

/// The kata's start functions: `{MyWorker, :start_link, [opts]}` and the
/// `{DynamicSupervisor, ...}` child of the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// `DynamicSupervisor.start_link(name: MyApp.WorkerSupervisor, strategy: :one_for_one)`.
    DynamicSupervisor,
    /// `MyWorker.start_link(opts)`.
    MyWorker,
}

/// One option of `MyWorker.start_link(opts)`, a keyword list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Opt {
    /// `id: n`.
    Id(u32),
    /// `name: "..."`.
    Name(&'static str),
    /// Makes `init` return `{:stop, reason}` (for the first pitfall).
    FailWith(&'static str),
}

/// The DynamicSupervisor's registered name.
const NAME: &str = "MyApp.WorkerSupervisor";

/// `defmodule MyWorker do use GenServer ... def init(opts), do: {:ok, %{id: opts[:id]}}`.
struct MyWorker {
    opts: Vec<Opt>,
    id: Option<u32>,
}

impl Worker for MyWorker {
    type Message = ();
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        for opt in &self.opts {
            match opt {
                Opt::Id(id) => self.id = Some(*id),
                Opt::FailWith(reason) => return Init::Stop(ExitReason::other(*reason)),
                Opt::Name(_) => {}
            }
        }
        Init::Ok
    }
}

/// Every worker of the tree is a `MyWorker`.
fn spawner(_: &Start, args: &[Opt]) -> BoxedWorker<()> {
    Box::new(MyWorker {
        opts: args.to_vec(),
        id: None,
    })
}

/// The tuple form `{MyWorker, opts}`: `MyWorker.child_spec(opts)`, a transient worker
/// (`use GenServer, restart: :transient`) whose module is `MyWorker`.
fn my_worker(opts: Vec<Opt>) -> ChildSpec<Start, Opt> {
    ChildSpec::new(Start::MyWorker, opts)
        .restart(Restart::Transient)
        .modules(Modules::List(vec!["MyWorker".into()]))
}

type WorkerSupervisor = Supervisor<Start, Opt, DynWorker<()>>;
type App = StaticSupervisor<&'static str, Start, Opt, DynWorker<()>>;

/// `#PID<0.n.0>`.
fn pid(pid: Pid) -> String {
    format!("#PID<0.{}.0>", pid.0)
}

fn child_type(child_type: ChildType) -> &'static str {
    match child_type {
        ChildType::Worker => ":worker",
        ChildType::Supervisor => ":supervisor",
    }
}

fn modules(modules: &Modules) -> String {
    match modules {
        Modules::List(list) => format!("[{}]", list.join(", ")),
        Modules::Dynamic => ":dynamic".into(),
        Modules::OfStart => "[]".into(),
    }
}

/// A DynamicSupervisor's `which_children` in the kata's shape.
fn dynamic_rows(rows: &[ChildInfo]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|row| {
            let shown = row.pid.map_or(":restarting".into(), pid);
            let kind = child_type(row.child_type);
            format!("{{:undefined, {shown}, {kind}, {}}}", modules(&row.modules))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// A static Supervisor's `which_children` in OTP's shape.
fn static_rows(rows: &[ChildRow<&str>]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|row| {
            let shown = match row.pid {
                ChildPid::Running(p) => pid(p),
                ChildPid::Restarting => ":restarting".into(),
                ChildPid::Undefined => ":undefined".into(),
            };
            let kind = child_type(row.child_type);
            format!("{{{}, {shown}, {kind}, {}}}", row.id, modules(&row.modules))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// `count_children` in the kata's shape.
fn counts(counts: ChildCounts) -> String {
    format!(
        "%{{active: {}, specs: {}, supervisors: {}, workers: {}}}",
        counts.active, counts.specs, counts.supervisors, counts.workers
    )
}

fn started(result: &Result<Started, StartChildError>) -> String {
    match result {
        Ok(Started::Running { pid: p, .. }) => format!("{{:ok, {}}}", pid(*p)),
        Ok(Started::Ignored) => ":ignore".into(),
        Err(StartChildError::MaxChildren) => "{:error, :max_children}".into(),
        Err(StartChildError::Failed(reason)) => format!("{{:error, :{reason}}}"),
        Err(other) => format!("{{:error, {other}}}"),
    }
}

/// The kata, printing to `out`.
pub(crate) fn kata(out: &mut impl Write) -> Result<(), String> {
    let fail = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "== Kata 68: Dynamic Supervisors, on dynsup's threaded runtime"
    )
    .map_err(fail)?;

    // The application's tree: a one_for_one Supervisor whose one child is the named
    // DynamicSupervisor (type supervisor, shutdown infinity).
    writeln!(out, "\n-- The application supervision tree").map_err(fail)?;
    let children = vec![StaticChildSpec::new(
        NAME,
        ChildSpec::new(Start::DynamicSupervisor, vec![])
            .child_type(ChildType::Supervisor)
            .modules(Modules::List(vec!["DynamicSupervisor".into()])),
    )];
    let supervisors = |start: &Start, _: &[Opt]| -> Option<ChildSupervisor> {
        (*start == Start::DynamicSupervisor).then(|| {
            let options = Options::default()
                .max_children(MaxChildren::Limit(3))
                .max_restarts(3)
                .max_seconds(5);
            Supervisor::builder(options, spawner).name(NAME).child()
        })
    };
    let app: App = StaticSupervisor::builder(
        Flags::default().strategy(Strategy::OneForOne),
        children,
        spawner,
    )
    .supervisors(supervisors)
    .start_link()
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "Supervisor.start_link([{{DynamicSupervisor, name: {NAME}, strategy: :one_for_one}}], strategy: :one_for_one)"
    )
    .map_err(fail)?;
    let rows = app.which_children().map_err(|e| e.to_string())?;
    writeln!(
        out,
        "Supervisor.which_children(app) = {}",
        static_rows(&rows)
    )
    .map_err(fail)?;
    let registry = app.registry().clone();
    let found = registry.whereis(NAME).ok_or("the name is not registered")?;
    writeln!(out, "Process.whereis({NAME}) = {}", pid(found)).map_err(fail)?;

    // Starting children dynamically, by name.
    writeln!(out, "\n-- Starting children dynamically (by name)").map_err(fail)?;
    let workers: WorkerSupervisor = registry.lookup(NAME).ok_or("no handle under the name")?;
    let tuple = workers.start_child(my_worker(vec![Opt::Id(1), Opt::Name("worker_1")]));
    writeln!(
        out,
        "start_child({NAME}, {{MyWorker, [id: 1, name: \"worker_1\"]}}) = {}",
        started(&tuple)
    )
    .map_err(fail)?;
    let map_like = |id: u32| {
        ChildSpec::new(Start::MyWorker, vec![Opt::Id(id)])
            .restart(Restart::Transient)
            .modules(Modules::List(vec!["MyWorker".into()]))
    };
    for id in [2, 3] {
        let result = workers.start_child(map_like(id));
        writeln!(
            out,
            "start_child({NAME}, %{{id: MyWorker, start: {{MyWorker, :start_link, [[id: {id}]]}}, restart: :transient}}) = {}",
            started(&result)
        )
        .map_err(fail)?;
    }

    writeln!(out, "\n-- Inspecting the supervisor").map_err(fail)?;
    let rows = workers.which_children().map_err(|e| e.to_string())?;
    writeln!(out, "which_children({NAME}) = {}", dynamic_rows(&rows)).map_err(fail)?;
    let now = workers.count_children().map_err(|e| e.to_string())?;
    writeln!(out, "count_children({NAME}) = {}", counts(now)).map_err(fail)?;

    writeln!(out, "\n-- Terminating children").map_err(fail)?;
    let Ok(Started::Running { pid: first, .. }) = tuple else {
        return Err("the first worker did not start".into());
    };
    let answer = match workers.terminate_child(first) {
        Ok(()) => ":ok".to_owned(),
        Err(e) => format!("{{:error, {e}}}"),
    };
    writeln!(out, "terminate_child({NAME}, {}) = {answer}", pid(first)).map_err(fail)?;
    let now = workers.count_children().map_err(|e| e.to_string())?;
    writeln!(out, "count_children({NAME}) = {}", counts(now)).map_err(fail)?;

    writeln!(out, "\n-- Pitfall 1: not handling {{:error, ...}}").map_err(fail)?;
    let refused = workers.start_child(my_worker(vec![Opt::Id(4), Opt::FailWith("no_db")]));
    match &refused {
        Ok(_) => writeln!(out, "unexpected: the failing worker started").map_err(fail)?,
        Err(StartChildError::Failed(reason)) => writeln!(
            out,
            "start_child with an init that stops = {} (Err(StartChildError::Failed({reason:?})))",
            started(&refused)
        )
        .map_err(fail)?,
        Err(other) => writeln!(out, "start_child failed otherwise: {other}").map_err(fail)?,
    }
    writeln!(
        out,
        "dynsup: start_child returns a Result (#[must_use]): the compiler flags an ignored one, and every OTP error is a typed variant (Failed, MaxChildren, Invalid, ThreadLimit, NoProc)"
    )
    .map_err(fail)?;

    writeln!(out, "\n-- Pitfall 2: unbounded children").map_err(fail)?;
    let third = workers.start_child(map_like(5));
    writeln!(
        out,
        "start_child (3 of max_children: 3) = {}",
        started(&third)
    )
    .map_err(fail)?;
    let fourth = workers.start_child(map_like(6));
    writeln!(
        out,
        "start_child (4 of max_children: 3) = {}",
        started(&fourth)
    )
    .map_err(fail)?;
    writeln!(
        out,
        "dynsup: Options::max_children caps the children (restarting ones count); past it, Err(StartChildError::MaxChildren); the threaded runtime also refuses a thread past its thread limit"
    )
    .map_err(fail)?;

    writeln!(out, "\n-- Pitfall 3: forgetting to track PIDs").map_err(fail)?;
    // The pid of the worker just started is dropped on the floor; the supervisor still knows
    // it: reach the supervisor by name and list its children.
    drop(third);
    let again: WorkerSupervisor = registry.lookup(NAME).ok_or("no handle under the name")?;
    let rows = again.which_children().map_err(|e| e.to_string())?;
    let lost = rows
        .last()
        .and_then(|row| row.pid)
        .ok_or("no child to find")?;
    writeln!(
        out,
        "the pid was dropped; which_children({NAME}) finds it again: {}",
        pid(lost)
    )
    .map_err(fail)?;
    again.terminate_child(lost).map_err(|e| e.to_string())?;
    let stale = match again.terminate_child(lost) {
        Ok(()) => ":ok".to_owned(),
        Err(e) => format!("{{:error, :{e}}}"),
    };
    writeln!(
        out,
        "terminate_child({NAME}, {}) = :ok, and again = {stale}",
        pid(lost)
    )
    .map_err(fail)?;
    writeln!(
        out,
        "dynsup: the registry reaches a supervisor by name (whereis / lookup), which_children lists its pids, and terminate_child of an unknown pid is Err(NotFound)"
    )
    .map_err(fail)?;

    writeln!(out, "\n-- Pitfall 4: using the wrong supervisor type").map_err(fail)?;
    let wrong = Supervisor::start_link(
        Options::<Opt>::default().strategy(Strategy::OneForAll),
        spawner,
    );
    match wrong {
        Ok(_) => {
            writeln!(out, "unexpected: a one_for_all DynamicSupervisor started").map_err(fail)?
        }
        Err(e) => writeln!(
            out,
            "DynamicSupervisor.start_link(strategy: :one_for_all) = {{:error, ...}}: {e}"
        )
        .map_err(fail)?,
    }
    let known = vec![
        StaticChildSpec::new("cache", my_worker(vec![Opt::Id(10)])),
        StaticChildSpec::new("web", my_worker(vec![Opt::Id(11)])),
    ];
    // Another root, in the same runtime instance (its pids follow the tree's).
    let fixed: App = StaticSupervisor::builder(
        Flags::default().strategy(Strategy::RestForOne),
        known,
        spawner,
    )
    .registry(&registry)
    .start_link()
    .map_err(|e| e.to_string())?;
    let rows = fixed.which_children().map_err(|e| e.to_string())?;
    writeln!(
        out,
        "children known upfront: Supervisor.start_link([cache, web], strategy: :rest_for_one), which_children = {}",
        static_rows(&rows)
    )
    .map_err(fail)?;
    fixed
        .stop(ExitReason::Normal, None)
        .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "dynsup: DynamicSupervisor (one_for_one only, children by pid, started on demand) vs StaticSupervisor (one_for_one, one_for_all, rest_for_one, children by id, started in order)"
    )
    .map_err(fail)?;

    writeln!(out, "\n-- Shutting the tree down").map_err(fail)?;
    app.stop(ExitReason::Normal, None)
        .map_err(|e| e.to_string())?;
    let clean = app.wait_threads(None);
    writeln!(
        out,
        "Supervisor.stop(app) = :ok; every thread of the tree has ended: {clean}; Process.whereis({NAME}) = {}",
        registry.whereis(NAME).map_or("nil".into(), pid)
    )
    .map_err(fail)?;
    Ok(())
}

fn main() -> Result<(), String> {
    kata(&mut std::io::stdout())
}
