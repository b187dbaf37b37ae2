//! Child specifications: how to start a child, when to restart it, and how to shut it down.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::SpecError;

/// When a child that exited is restarted (OTP's `restart` key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted, whatever the reason (the default).
    #[default]
    Permanent,
    /// Restarted only after an abnormal exit (not `normal`, `shutdown` or `shutdown:_`).
    Transient,
    /// Never restarted.
    Temporary,
}

impl fmt::Display for Restart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Restart::Permanent => "permanent",
            Restart::Transient => "transient",
            Restart::Temporary => "temporary",
        })
    }
}

impl FromStr for Restart {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "permanent" => Ok(Restart::Permanent),
            "transient" => Ok(Restart::Transient),
            "temporary" => Ok(Restart::Temporary),
            _ => Err(SpecError::InvalidRestartType(text.to_owned())),
        }
    }
}

/// How a child is shut down (OTP's `shutdown` key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Killed at once with `exit(child, :kill)`; reported as `killed`.
    BrutalKill,
    /// Sent `exit(child, :shutdown)`, then killed if still alive after this many milliseconds.
    /// Zero is allowed, as in Elixir 1.15 and later (1.14 rejected it).
    Timeout {
        /// Grace period in milliseconds.
        millis: u64,
    },
    /// Sent `exit(child, :shutdown)` and waited for forever.
    Infinity,
}

impl Shutdown {
    /// A timeout shutdown of `millis` milliseconds.
    pub const fn millis(millis: u64) -> Self {
        Shutdown::Timeout { millis }
    }
}

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shutdown::BrutalKill => f.write_str("brutal_kill"),
            Shutdown::Timeout { millis } => write!(f, "{millis}"),
            Shutdown::Infinity => f.write_str("infinity"),
        }
    }
}

impl FromStr for Shutdown {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "brutal_kill" => Ok(Shutdown::BrutalKill),
            "infinity" => Ok(Shutdown::Infinity),
            _ if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text
                .parse()
                .map(Shutdown::millis)
                .map_err(|_| SpecError::InvalidShutdown(text.to_owned())),
            _ => Err(SpecError::InvalidShutdown(text.to_owned())),
        }
    }
}

/// Whether a child is a worker or a supervisor (OTP's `type` key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChildType {
    /// A worker (the default); its shutdown defaults to 5000 ms.
    #[default]
    Worker,
    /// A supervisor; its shutdown defaults to `infinity`.
    Supervisor,
}

impl ChildType {
    /// The shutdown a child of this type gets when its spec names none.
    pub const fn default_shutdown(self) -> Shutdown {
        match self {
            ChildType::Worker => Shutdown::millis(5000),
            ChildType::Supervisor => Shutdown::Infinity,
        }
    }
}

impl fmt::Display for ChildType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChildType::Worker => "worker",
            ChildType::Supervisor => "supervisor",
        })
    }
}

impl FromStr for ChildType {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "worker" => Ok(ChildType::Worker),
            "supervisor" => Ok(ChildType::Supervisor),
            _ => Err(SpecError::InvalidChildType(text.to_owned())),
        }
    }
}

/// The modules a child is implemented by (OTP's `modules` key), shown by `which_children`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Modules {
    /// The module of the start function (the default, OTP's `[m]`).
    #[default]
    OfStart,
    /// `:dynamic`: the modules are only known at run time.
    Dynamic,
    /// An explicit list of module names; each must be a non-empty name without whitespace.
    List(Vec<String>),
}

/// The start function of a child and its arguments.
///
/// `F` names the function (a template id, a closure handle, anything the driver can run) and
/// `A` is the argument type. The supervisor's `extra_arguments` are prepended to `args` at
/// every start and restart, as OTP does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StartCall<F, A> {
    /// The function to call.
    pub function: F,
    /// Its own arguments, after the supervisor's extra arguments.
    pub args: Vec<A>,
}

/// A child specification as a caller writes it, before validation.
///
/// ```
/// use dynsup::{ChildSpec, Restart, Shutdown};
/// let spec = ChildSpec::new("worker", vec![1u8])
///     .restart(Restart::Transient)
///     .shutdown(Shutdown::millis(1000));
/// let valid = spec.validate().unwrap();
/// assert_eq!(valid.shutdown(), Shutdown::millis(1000));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildSpec<F, A> {
    /// How to start the child.
    pub start: StartCall<F, A>,
    /// When to restart it; default [`Restart::Permanent`].
    pub restart: Restart,
    /// How to shut it down; `None` means the default of its type.
    pub shutdown: Option<Shutdown>,
    /// Worker or supervisor; default [`ChildType::Worker`].
    pub child_type: ChildType,
    /// Shown by `which_children`; default [`Modules::OfStart`].
    pub modules: Modules,
    /// OTP's `significant` flag: only `false` is valid for a DynamicSupervisor (Elixir 1.15+).
    pub significant: bool,
}

impl<F, A> ChildSpec<F, A> {
    /// A permanent worker started by `function(extra_arguments ++ args)`.
    pub fn new(function: F, args: Vec<A>) -> Self {
        ChildSpec {
            start: StartCall { function, args },
            restart: Restart::Permanent,
            shutdown: None,
            child_type: ChildType::Worker,
            modules: Modules::OfStart,
            significant: false,
        }
    }

    /// Sets the restart type.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// Sets the shutdown.
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    /// Sets the child type.
    pub fn child_type(mut self, child_type: ChildType) -> Self {
        self.child_type = child_type;
        self
    }

    /// Sets the modules.
    pub fn modules(mut self, modules: Modules) -> Self {
        self.modules = modules;
        self
    }

    /// Sets the `significant` flag (anything but `false` is rejected).
    pub fn significant(mut self, significant: bool) -> Self {
        self.significant = significant;
        self
    }

    /// Checks the spec as [`validate`](Self::validate) does, without consuming it: the same
    /// error for the same spec, in OTP's order (modules, then significant).
    pub fn check(&self) -> Result<(), SpecError> {
        if let Modules::List(names) = &self.modules {
            let bad = |name: &String| name.is_empty() || name.chars().any(char::is_whitespace);
            if names.iter().any(bad) {
                return Err(SpecError::InvalidModules(names.clone()));
            }
        }
        if self.significant {
            return Err(SpecError::InvalidSignificant(true));
        }
        Ok(())
    }

    /// Applies the defaults and checks the spec in OTP's order (modules, then significant;
    /// the other keys are valid by construction).
    pub fn validate(self) -> Result<ValidChildSpec<F, A>, SpecError> {
        self.check()?;
        let shutdown = self
            .shutdown
            .unwrap_or_else(|| self.child_type.default_shutdown());
        Ok(ValidChildSpec {
            start: self.start,
            restart: self.restart,
            shutdown,
            child_type: self.child_type,
            modules: self.modules,
        })
    }
}

/// A validated child specification with its defaults applied, as the supervisor stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidChildSpec<F, A> {
    start: StartCall<F, A>,
    restart: Restart,
    shutdown: Shutdown,
    child_type: ChildType,
    modules: Modules,
}

/// Hashed with its small fields packed into one word (a model checker hashes the spec of
/// every child in every state it reaches, so fewer writes are worth it).
impl<F: Hash, A: Hash> Hash for ValidChildSpec<F, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.hash_with(0, state);
    }
}

impl<F: Hash, A: Hash> ValidChildSpec<F, A> {
    /// Hashes the spec with `extra`, a value below 2^57, packed into its
    /// first word: the restart type, shutdown kind, child type and kind of modules, and
    /// `extra`, in one word; then the shutdown's milliseconds (for a timeout), the start
    /// function, the arguments (their count first) and the module names (for a list).
    pub(crate) fn hash_with<H: Hasher>(&self, extra: u64, state: &mut H) {
        let shutdown = match self.shutdown {
            Shutdown::BrutalKill => 0,
            Shutdown::Timeout { .. } => 1,
            Shutdown::Infinity => 2,
        };
        let modules = match self.modules {
            Modules::OfStart => 0,
            Modules::Dynamic => 1,
            Modules::List(_) => 2,
        };
        let small = self.restart as u64
            | shutdown << 2
            | (self.child_type as u64) << 4
            | modules << 5
            | extra << 7;
        state.write_u64(small);
        if let Shutdown::Timeout { millis } = self.shutdown {
            state.write_u64(millis);
        }
        self.start.hash(state);
        if let Modules::List(names) = &self.modules {
            names.hash(state);
        }
    }
}

impl<F, A> ValidChildSpec<F, A> {
    /// A spec from its parts as [`ChildSpec::validate`] made them (for unpacking a copy).
    pub(crate) fn from_parts(
        start: StartCall<F, A>,
        restart: Restart,
        shutdown: Shutdown,
        child_type: ChildType,
        modules: Modules,
    ) -> Self {
        ValidChildSpec {
            start,
            restart,
            shutdown,
            child_type,
            modules,
        }
    }

    /// The start function and its own arguments (empty for a temporary child once stored).
    pub fn start(&self) -> &StartCall<F, A> {
        &self.start
    }

    /// The restart type.
    pub fn restart(&self) -> Restart {
        self.restart
    }

    /// The effective shutdown.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown
    }

    /// Worker or supervisor.
    pub fn child_type(&self) -> ChildType {
        self.child_type
    }

    /// The modules shown by `which_children`.
    pub fn modules(&self) -> &Modules {
        &self.modules
    }

    /// The start function, to rename it (see
    /// [`DynamicSupervisor::relabel_functions`](crate::DynamicSupervisor::relabel_functions)).
    pub(crate) fn function_mut(&mut self) -> &mut F {
        &mut self.start.function
    }

    /// The spec as the table stores it once the child runs: a temporary child is never
    /// restarted, so its own arguments are dropped, as Elixir's `save_child` does. They are
    /// kept until then: the start itself still gets them.
    pub(crate) fn into_stored(mut self) -> Self {
        if self.restart == Restart::Temporary {
            self.start.args = Vec::new();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashSet;

    use super::*;

    fn hash_of<T: Hash>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn specs_hash_alike_when_equal_and_apart_when_any_field_differs() {
        let base = || ChildSpec::new(1u8, vec![7u8]);
        let variants = [
            base(),
            ChildSpec::new(2u8, vec![7u8]),
            ChildSpec::new(1u8, vec![8u8]),
            ChildSpec::new(1u8, vec![7u8, 7]),
            ChildSpec::new(1u8, Vec::new()),
            base().restart(Restart::Transient),
            base().restart(Restart::Temporary),
            base().shutdown(Shutdown::BrutalKill),
            base().shutdown(Shutdown::Infinity),
            base().shutdown(Shutdown::millis(0)),
            base().shutdown(Shutdown::millis(4999)),
            base().child_type(ChildType::Supervisor),
            base()
                .child_type(ChildType::Supervisor)
                .shutdown(Shutdown::millis(5000)),
            base().modules(Modules::Dynamic),
            base().modules(Modules::List(vec!["a".to_owned()])),
            base().modules(Modules::List(vec!["b".to_owned()])),
            base().modules(Modules::List(Vec::new())),
        ];
        let specs: Vec<ValidChildSpec<u8, u8>> = variants
            .into_iter()
            .map(|spec| spec.validate().unwrap())
            .collect();
        let hashes: HashSet<u64> = specs.iter().map(hash_of).collect();
        assert_eq!(hashes.len(), specs.len());
        for spec in &specs {
            assert_eq!(hash_of(spec), hash_of(&spec.clone()));
        }
        // The extra bits packed with the small fields tell apart too.
        let extras: HashSet<u64> = [0, 1, 2, (1 << 56) + 1]
            .into_iter()
            .map(|extra| {
                let mut hasher = DefaultHasher::new();
                specs[0].hash_with(extra, &mut hasher);
                hasher.finish()
            })
            .collect();
        assert_eq!(extras.len(), 4);
    }

    #[test]
    fn defaults_follow_the_type() {
        let worker = ChildSpec::new((), Vec::<u8>::new()).validate().unwrap();
        assert_eq!(worker.shutdown(), Shutdown::millis(5000));
        assert_eq!(worker.restart(), Restart::Permanent);
        assert_eq!(worker.child_type(), ChildType::Worker);
        let sup = ChildSpec::new((), Vec::<u8>::new())
            .child_type(ChildType::Supervisor)
            .validate()
            .unwrap();
        assert_eq!(sup.shutdown(), Shutdown::Infinity);
        let given = ChildSpec::new((), Vec::<u8>::new())
            .child_type(ChildType::Supervisor)
            .shutdown(Shutdown::BrutalKill)
            .validate()
            .unwrap();
        assert_eq!(given.shutdown(), Shutdown::BrutalKill);
    }

    #[test]
    fn zero_shutdown_is_allowed() {
        let spec = ChildSpec::new((), vec![0u8]).shutdown(Shutdown::millis(0));
        assert_eq!(spec.validate().unwrap().shutdown(), Shutdown::millis(0));
    }

    #[test]
    fn temporary_children_drop_their_arguments_once_stored() {
        let spec = ChildSpec::new((), vec![1u8, 2]).restart(Restart::Temporary);
        let valid = spec.validate().unwrap();
        assert_eq!(valid.start().args, vec![1, 2], "the start still needs them");
        assert!(valid.into_stored().start().args.is_empty());
        let spec = ChildSpec::new((), vec![1u8, 2]);
        assert_eq!(
            spec.validate().unwrap().into_stored().start().args,
            vec![1, 2]
        );
    }

    #[test]
    fn invalid_modules_report_the_whole_list() {
        let names = vec!["Good".to_owned(), String::new()];
        let err = ChildSpec::new((), Vec::<u8>::new())
            .modules(Modules::List(names.clone()))
            .validate()
            .unwrap_err();
        assert_eq!(err, SpecError::InvalidModules(names));
        let ok = ChildSpec::new((), Vec::<u8>::new()).modules(Modules::Dynamic);
        assert!(ok.validate().is_ok());
    }

    #[test]
    fn significant_is_rejected_after_modules() {
        let err = ChildSpec::new((), Vec::<u8>::new())
            .significant(true)
            .validate()
            .unwrap_err();
        assert_eq!(err, SpecError::InvalidSignificant(true));
        let err = ChildSpec::new((), Vec::<u8>::new())
            .significant(true)
            .modules(Modules::List(vec![" ".into()]))
            .validate()
            .unwrap_err();
        assert!(matches!(err, SpecError::InvalidModules(_)));
    }

    #[test]
    fn text_forms_parse_with_typed_errors() {
        assert_eq!("transient".parse::<Restart>(), Ok(Restart::Transient));
        assert_eq!(
            "foo".parse::<Restart>(),
            Err(SpecError::InvalidRestartType("foo".into()))
        );
        assert_eq!("0".parse::<Shutdown>(), Ok(Shutdown::millis(0)));
        assert_eq!("infinity".parse::<Shutdown>(), Ok(Shutdown::Infinity));
        assert_eq!("brutal_kill".parse::<Shutdown>(), Ok(Shutdown::BrutalKill));
        assert_eq!(
            "-1".parse::<Shutdown>(),
            Err(SpecError::InvalidShutdown("-1".into()))
        );
        assert_eq!(
            "99999999999999999999999".parse::<Shutdown>(),
            Err(SpecError::InvalidShutdown("99999999999999999999999".into()))
        );
        assert_eq!(
            "foo".parse::<ChildType>(),
            Err(SpecError::InvalidChildType("foo".into()))
        );
        for text in ["brutal_kill", "infinity", "250"] {
            assert_eq!(text.parse::<Shutdown>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn every_restart_and_child_type_round_trips_through_its_text_form() {
        let restarts = [
            (Restart::Permanent, "permanent"),
            (Restart::Transient, "transient"),
            (Restart::Temporary, "temporary"),
        ];
        for (restart, text) in restarts {
            assert_eq!(restart.to_string(), text);
            assert_eq!(text.parse::<Restart>(), Ok(restart));
        }
        let types = [
            (ChildType::Worker, "worker"),
            (ChildType::Supervisor, "supervisor"),
        ];
        for (child_type, text) in types {
            assert_eq!(child_type.to_string(), text);
            assert_eq!(text.parse::<ChildType>(), Ok(child_type));
        }
    }

    #[test]
    fn shutdown_millis_are_plain_digits_only() {
        // `u64::from_str` takes a leading `+`; the text form is digits only, as Display writes.
        for text in ["+5", "", " 5", "5ms"] {
            assert_eq!(
                text.parse::<Shutdown>(),
                Err(SpecError::InvalidShutdown(text.into()))
            );
        }
    }
}
