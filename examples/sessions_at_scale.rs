//! The seeds' scale: start N idle session children under one supervisor and report how many
//! started, the time per child and the memory per child, or a clear error.
//!
//! ```text
//! cargo run --release --example sessions_at_scale -- --runtime threads --children 2000
//! ```
//!
//! `--runtime threads` (the default) runs one OS thread per child: past the runtime's thread
//! limit (`dynsup::runtime::default_thread_limit()`, a few thousand) `start_child` is refused
//! with a typed error, which this program reports instead of letting the operating system abort
//! the process. `--runtime tokio` (build with `--features tokio`) runs one task per child on a
//! multi-threaded tokio runtime:
//!
//! ```text
//! cargo run --release --features tokio --example sessions_at_scale -- --runtime tokio --children 1000000
//! ```
//!
//! On tokio the children start through a `PartitionSupervisor`; `--partitions N` (default 1)
//! splits them over N partitions, started from N concurrent tasks (one per partition, each
//! starting the sessions whose key routes to it), and the program prints the `start_child`
//! throughput:
//!
//! ```text
//! cargo run --release --features tokio --example sessions_at_scale -- --runtime tokio --children 200000 --partitions 2
//! ```

use std::process::ExitCode;
use std::time::Instant;

use dynsup::runtime::{StartChildError, Supervisor};
use dynsup::{Answer, BoxedWorker, ChildSpec, Context, ExitReason, Init, Options, Started, Worker};

/// A session that holds a little state, waits, and tells its id when called.
struct Session {
    id: u64,
}

impl Worker for Session {
    type Message = ();
    type Call = ();
    type Reply = u64;

    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }

    fn handle_call(&mut self, (): (), _ctx: &mut Context<()>) -> Answer<u64> {
        Answer::Reply(self.id)
    }
}

/// The resident set size of this process, in bytes (Linux; `None` elsewhere).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

struct Args {
    runtime: String,
    children: u64,
    partitions: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runtime: "threads".into(),
        children: 1_000,
        partitions: 1,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |name: &str| words.next().ok_or(format!("{name} needs a value"));
        match word.as_str() {
            "--runtime" => args.runtime = value("--runtime")?,
            "--children" => {
                let text = value("--children")?;
                args.children = text
                    .parse()
                    .map_err(|_| format!("--children: `{text}` is not a count"))?;
            }
            "--partitions" => {
                let text = value("--partitions")?;
                args.partitions = text
                    .parse()
                    .map_err(|_| format!("--partitions: `{text}` is not a count"))?;
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (try --runtime, --children, --partitions)"
                ))
            }
        }
    }
    if args.children == 0 || args.children > 10_000_000 {
        return Err("--children must be between 1 and 10,000,000".into());
    }
    if args.partitions == 0 || args.partitions > 1_024 {
        return Err("--partitions must be between 1 and 1,024".into());
    }
    if args.partitions != 1 && args.runtime != "tokio" {
        return Err("--partitions needs --runtime tokio".into());
    }
    Ok(args)
}

/// Starts `children` sessions on the threaded runtime (with its default thread limit, or
/// `thread_limit`), prints the figures, and stops it.
pub(crate) fn on_threads(children: u64, thread_limit: Option<usize>) -> Result<(), String> {
    let spawner = |_: &&str, args: &[u64]| -> BoxedWorker<(), (), u64> {
        Box::new(Session {
            id: args.first().copied().unwrap_or(0),
        })
    };
    let mut builder = Supervisor::builder(Options::default(), spawner);
    if let Some(limit) = thread_limit {
        builder = builder.thread_limit(limit);
    }
    let sup = builder.start_link().map_err(|e| e.to_string())?;
    let before = resident_bytes();
    let begun = Instant::now();
    let mut started = 0u64;
    let mut refused = None;
    let mut last = None;
    for id in 0..children {
        match sup.start_child(ChildSpec::new("session", vec![id])) {
            Ok(Started::Running { pid, .. }) => {
                started += 1;
                last = Some((pid, id));
            }
            Ok(Started::Ignored) => return Err(format!("start_child {id}: ignored")),
            Err(err @ StartChildError::ThreadLimit(_)) => {
                refused = Some(err);
                break;
            }
            Err(err) => return Err(format!("start_child {id}: {err}")),
        }
    }
    let elapsed = begun.elapsed();
    let after = resident_bytes();
    if let Some((pid, id)) = last {
        let answer = sup.call(pid, (), Some(std::time::Duration::from_secs(10)));
        if answer != Ok(id) {
            return Err(format!("the last session answered {answer:?}, not {id}"));
        }
    }
    println!("runtime: threads (thread limit {})", sup.thread_limit());
    println!("children started: {started} of {children}");
    if started > 0 {
        let us = elapsed.as_secs_f64() * 1e6 / started as f64;
        println!("start_child: {us:.1} us per child");
        if let (Some(before), Some(after)) = (before, after) {
            let bytes = after.saturating_sub(before) / started;
            println!("memory: {bytes} bytes per child (resident set growth)");
        }
    }
    let stopped = Instant::now();
    sup.stop(ExitReason::Shutdown, None)
        .map_err(|e| e.to_string())?;
    println!(
        "stop with every child: {:.1} ms",
        stopped.elapsed().as_secs_f64() * 1e3
    );
    match refused {
        Some(err) => Err(format!(
            "stopped at {started} children: {err}; use fewer children on this runtime"
        )),
        None => Ok(()),
    }
}

/// Starts `children` sessions on the tokio runtime (one task each) through a
/// `PartitionSupervisor` of `partitions` partitions, from one task per partition (each starts
/// the sessions whose key routes to its partition), prints the figures, and stops it.
#[cfg(feature = "tokio")]
fn on_tokio(children: u64, partitions: usize) -> Result<(), String> {
    use dynsup::tokio_runtime::{PartitionStarted, PartitionSupervisor};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build a tokio runtime: {e}"))?;
    runtime.block_on(async move {
        let sup = PartitionSupervisor::start_link(partitions, Options::default(), |_| {
            |_: &&str, args: &[u64]| -> BoxedWorker<(), (), u64> {
                Box::new(Session {
                    id: args.first().copied().unwrap_or(0),
                })
            }
        })
        .await
        .map_err(|e| e.to_string())?;
        let before = resident_bytes();
        let begun = Instant::now();
        let mut tasks = Vec::with_capacity(partitions);
        for partition in 0..partitions {
            let sup = sup.clone();
            tasks.push(tokio::spawn(async move {
                let mut last = None;
                for id in (0..children).filter(|id| sup.partition_for(id) == partition) {
                    match sup
                        .start_child(&id, ChildSpec::new("session", vec![id]))
                        .await
                    {
                        Ok(PartitionStarted::Running { pid, .. }) => last = Some((pid, id)),
                        other => return Err(format!("start_child {id}: {other:?}")),
                    }
                }
                Ok(last)
            }));
        }
        let mut lasts = Vec::new();
        for task in tasks {
            let last = task
                .await
                .map_err(|e| format!("a starting task failed: {e}"))??;
            lasts.extend(last);
        }
        let elapsed = begun.elapsed();
        let after = resident_bytes();
        for (pid, id) in lasts {
            let answer = sup
                .call(pid, (), Some(std::time::Duration::from_secs(10)))
                .await;
            if answer != Ok(id) {
                return Err(format!("session {id} answered {answer:?}"));
            }
        }
        let started = sup
            .count_children()
            .await
            .map_err(|e| e.to_string())?
            .active;
        println!("runtime: tokio, {partitions} partition(s), one starting task each");
        println!("children started: {started} of {children}");
        let us = elapsed.as_secs_f64() * 1e6 / children as f64;
        println!("start_child: {us:.2} us per child");
        println!(
            "start_child throughput: {:.0} children per second",
            children as f64 / elapsed.as_secs_f64()
        );
        if let (Some(before), Some(after)) = (before, after) {
            let bytes = after.saturating_sub(before) / children;
            println!("memory: {bytes} bytes per child (resident set growth)");
        }
        let stopped = Instant::now();
        sup.stop(ExitReason::Shutdown, None)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "stop with every child: {:.1} ms",
            stopped.elapsed().as_secs_f64() * 1e3
        );
        Ok(())
    })
}

#[cfg(not(feature = "tokio"))]
fn on_tokio(_children: u64, _partitions: usize) -> Result<(), String> {
    Err("this build has no tokio runtime: rebuild with `--features tokio`".into())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| match args.runtime.as_str() {
        "threads" => on_threads(args.children, None),
        "tokio" => on_tokio(args.children, args.partitions),
        other => Err(format!("unknown runtime `{other}` (threads or tokio)")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sessions_at_scale: {err}");
            ExitCode::from(2)
        }
    }
}
