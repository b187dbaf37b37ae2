//! What a builder makes a supervisor's core from (a DynamicSupervisor's options, or a static
//! supervisor's flags and children), shared by the threaded and the tokio builders: validated
//! in the caller into a root's start error, or into a child supervisor's failed start.

use std::fmt;
use std::marker::PhantomData;

use crate::driver::Core;
use crate::exit_reason::ExitReason;
use crate::options::Options;
use crate::runtime::error::StartLinkError;
use crate::runtime::runtime_core::{invalid_child_supervisor, RootError, RuntimeCore};
use crate::runtime::static_error::StaticStartError;
use crate::static_supervisor::{Flags, InitError, StaticChildSpec, Supervisor};
use crate::supervisor::DynamicSupervisor;
use crate::time::Instant;

/// The makings of a supervisor's core, validated only when it starts.
pub(crate) trait CoreSeed: Send + 'static {
    /// The core it makes.
    type Core: RuntimeCore;
    /// A root's start error: invalid makings, or the start's own failure.
    type Error: From<RootError<<Self::Core as Core>::StartUpError>>;

    /// The core of a root, or the error its start returns (nothing starts).
    fn root_core(self) -> Result<Self::Core, Self::Error>;

    /// The core of a child supervisor, or its failed start's reason (`supervisor_data` for
    /// invalid options or flags, `start_spec` for invalid children).
    fn child_core(self) -> Result<Self::Core, ExitReason>;
}

/// A DynamicSupervisor's options.
pub(crate) struct DynamicSeed<F, A> {
    options: Options<A>,
    functions: PhantomData<fn() -> F>,
}

impl<F, A> DynamicSeed<F, A> {
    /// The makings of a DynamicSupervisor with `options`.
    pub(crate) fn new(options: Options<A>) -> Self {
        DynamicSeed {
            options,
            functions: PhantomData,
        }
    }
}

impl<F, A> CoreSeed for DynamicSeed<F, A>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    type Core = DynamicSupervisor<F, A>;
    type Error = StartLinkError;

    fn root_core(self) -> Result<Self::Core, StartLinkError> {
        Ok(DynamicSupervisor::with_options(self.options)?)
    }

    fn child_core(self) -> Result<Self::Core, ExitReason> {
        DynamicSupervisor::with_options(self.options).map_err(|_| invalid_child_supervisor(true))
    }
}

/// A static supervisor's flags and children.
pub(crate) struct StaticSeed<I, F, A> {
    flags: Flags,
    children: Vec<StaticChildSpec<I, F, A>>,
}

impl<I, F, A> StaticSeed<I, F, A> {
    /// The makings of a static supervisor with `flags` and `children`.
    pub(crate) fn new(flags: Flags, children: Vec<StaticChildSpec<I, F, A>>) -> Self {
        StaticSeed { flags, children }
    }

    /// Its core, started (its children not yet) at the clock's zero.
    fn start(self) -> Result<Supervisor<I, F, A>, InitError<I>>
    where
        I: Clone + Eq + fmt::Debug + Send + 'static,
        F: Clone + Send + 'static,
        A: Clone + Send + 'static,
    {
        Supervisor::start(Instant::ZERO, self.flags, self.children)
    }
}

impl<I, F, A> CoreSeed for StaticSeed<I, F, A>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    type Core = Supervisor<I, F, A>;
    type Error = StaticStartError<I>;

    fn root_core(self) -> Result<Self::Core, StaticStartError<I>> {
        self.start().map_err(StaticStartError::Init)
    }

    fn child_core(self) -> Result<Self::Core, ExitReason> {
        self.start()
            .map_err(|error| invalid_child_supervisor(matches!(error, InitError::Flags(_))))
    }
}
