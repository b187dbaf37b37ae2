//! The seed lesson "Dynamic Supervisors: Scaling on Demand", ported: a `UserSession` worker per
//! user, started on demand under a DynamicSupervisor on the tokio runtime, then counted.
//!
//! ```text
//! cargo run --example dynamic_supervisors
//! ```
//!
//! prints exactly the lesson's expected output (`tests/examples_output.rs` checks it):
//!
//! ```text
//! App: Letting users in...
//! --- [SYSTEM] Starting session for Alice
//! --- [SYSTEM] Starting session for Bob
//! --- [SYSTEM] Starting session for Charlie
//!
//! App: We currently have 3 active workers.
//! ```

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use dynsup::tokio_runtime::Supervisor;
use dynsup::{BoxedWorker, ChildSpec, Context, Init, Options, Worker};

/// Where the program prints: stdout, or a buffer in the test.
pub(crate) type Output = Arc<Mutex<dyn Write + Send>>;

fn say(out: &Output, line: &str) {
    let mut out = out.lock().unwrap_or_else(PoisonError::into_inner);
    // Printing is best effort, as IO.puts is.
    let _ = writeln!(out, "{line}");
}

/// 1. A simple worker that represents a "User Session".
struct UserSession {
    user_name: String,
    out: Output,
}

impl Worker for UserSession {
    type Message = ();
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        say(
            &self.out,
            &format!("--- [SYSTEM] Starting session for {}", self.user_name),
        );
        Init::Ok
    }
}

/// The lesson's program, printing to `out`.
pub(crate) async fn lesson(out: Output) -> Result<(), String> {
    // 2. Start the Dynamic Supervisor (one_for_one is the only strategy it has).
    let session_out = out.clone();
    let spawner = move |_: &&str, args: &[String]| -> BoxedWorker<()> {
        Box::new(UserSession {
            user_name: args.first().cloned().unwrap_or_default(),
            out: session_out.clone(),
        })
    };
    let my_dynamic_sup = Supervisor::start_link(Options::default(), spawner)
        .await
        .map_err(|e| e.to_string())?;

    // 3. Hiring workers ON DEMAND.
    say(&out, "App: Letting users in...");
    for user in ["Alice", "Bob", "Charlie"] {
        my_dynamic_sup
            .start_child(ChildSpec::new("UserSession", vec![user.to_owned()]))
            .await
            .map_err(|e| format!("{user}: {e}"))?;
    }

    // 4. Checking the team.
    let counts = my_dynamic_sup
        .count_children()
        .await
        .map_err(|e| e.to_string())?;
    say(
        &out,
        &format!("\nApp: We currently have {} active workers.", counts.active),
    );
    Ok(())
}

fn main() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    let out: Output = Arc::new(Mutex::new(std::io::stdout()));
    runtime.block_on(lesson(out))
}
