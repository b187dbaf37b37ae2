//! What the loom models share: a worker that runs until told to exit, its spawner, and a
//! supervisor of such workers.
#![allow(dead_code)]

use dynsup::runtime::{BoxedWorker, Supervisor};
use dynsup::{ChildSpec, Context, DynWorker, ExitReason, Init, Next, Options, Worker};

/// A worker for the models: runs until told to exit with a reason.
pub struct Model;

impl Worker for Model {
    type Message = ExitReason;
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<ExitReason>) -> Init {
        Init::Ok
    }

    fn handle_message(&mut self, reason: ExitReason, _ctx: &mut Context<ExitReason>) -> Next {
        Next::Stop(reason)
    }
}

/// The supervisor handle of the models.
pub type Sup = Supervisor<&'static str, (), DynWorker<ExitReason>>;

/// Makes a [`Model`] for every start.
pub fn spawner(_: &&'static str, _: &[()]) -> BoxedWorker<ExitReason> {
    Box::new(Model)
}

/// A supervisor of models with these options.
pub fn start(options: Options<()>) -> Sup {
    Supervisor::start_link(options, spawner).expect("valid options")
}

/// The spec of a permanent model worker.
pub fn worker_spec() -> ChildSpec<&'static str, ()> {
    ChildSpec::new("model", Vec::new())
}
