//! Child specifications of a static supervisor: a [`ChildSpec`] with an id, and the
//! `significant` flag checked against the supervisor's `auto_shutdown`.

use crate::child_spec::{ChildSpec, Restart, ValidChildSpec};
use crate::options::AutoShutdown;
use crate::static_supervisor::error::StaticSpecError;

/// A child of a static supervisor as a caller writes it: its id and its spec.
///
/// The spec's `significant` flag is allowed here (unlike a DynamicSupervisor's child), for a
/// transient or temporary child of a supervisor whose `auto_shutdown` is not `never`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticChildSpec<I, F, A> {
    /// The child's id, unique among the supervisor's children.
    pub id: I,
    /// How to start, restart and shut down the child.
    pub spec: ChildSpec<F, A>,
}

impl<I, F, A> StaticChildSpec<I, F, A> {
    /// A child `id` with the spec `spec`.
    pub fn new(id: I, spec: ChildSpec<F, A>) -> Self {
        StaticChildSpec { id, spec }
    }

    /// Validates the spec for a supervisor with `auto_shutdown`, in OTP's order: the spec's
    /// own keys first, then `significant` (docs/static-supervisor.md §7.1).
    ///
    /// # Errors
    ///
    /// The spec's own [`SpecError`](crate::SpecError), or a `bad_combination` of
    /// `significant` with `auto_shutdown: never` or with `restart: permanent`.
    pub fn validate(
        self,
        auto_shutdown: AutoShutdown,
    ) -> Result<ValidStaticSpec<I, F, A>, StaticSpecError> {
        let significant = self.spec.significant;
        let restart = self.spec.restart;
        // The significant flag is this module's to check; the rest is ChildSpec's.
        let valid = ChildSpec {
            significant: false,
            ..self.spec
        }
        .validate()
        .map_err(StaticSpecError::Spec)?;
        if significant {
            if auto_shutdown == AutoShutdown::Never {
                return Err(StaticSpecError::SignificantWithAutoShutdownNever);
            }
            if restart == Restart::Permanent {
                return Err(StaticSpecError::SignificantPermanent);
            }
        }
        Ok(ValidStaticSpec {
            id: self.id,
            spec: valid,
            significant,
        })
    }
}

/// A validated child of a static supervisor, with its defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidStaticSpec<I, F, A> {
    pub(crate) id: I,
    pub(crate) spec: ValidChildSpec<F, A>,
    pub(crate) significant: bool,
}

impl<I, F, A> ValidStaticSpec<I, F, A> {
    /// The child's id.
    pub fn id(&self) -> &I {
        &self.id
    }

    /// The validated spec.
    pub fn spec(&self) -> &ValidChildSpec<F, A> {
        &self.spec
    }

    /// Whether the child is significant.
    pub fn significant(&self) -> bool {
        self.significant
    }
}
