//! Supervisor options (`max_restarts`, `max_seconds`, `max_children`, `extra_arguments`) and
//! their validation.

use crate::error::ConfigError;

/// The restart strategy. A DynamicSupervisor accepts only `OneForOne`; the others exist so that
/// a configuration carried over from a static supervisor fails with a typed error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Restart only the child that exited (the only valid strategy).
    #[default]
    OneForOne,
    /// Not supported by a DynamicSupervisor.
    OneForAll,
    /// Not supported by a DynamicSupervisor.
    RestForOne,
}

/// How many children the supervisor may hold at once (running and restarting together).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MaxChildren {
    /// No limit (the default).
    #[default]
    Infinity,
    /// At most this many; must be at least 0.
    Limit(i64),
}

/// OTP's `auto_shutdown` flag: only `Never` is valid for a DynamicSupervisor (Elixir 1.15+).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AutoShutdown {
    /// Never shut down automatically (the only valid value).
    #[default]
    Never,
    /// Not supported by a DynamicSupervisor.
    AnySignificant,
    /// Not supported by a DynamicSupervisor.
    AllSignificant,
}

/// Options as `DynamicSupervisor.start_link/1` takes them, with Elixir's defaults
/// (`max_restarts` 3, `max_seconds` 5, `max_children` infinity, no extra arguments).
///
/// Integers are signed so that every value a caller can write has a defined outcome:
/// [`Options::validate`] returns the typed error OTP would return.
///
/// ```
/// use dynsup::{ConfigError, Options};
/// let config = Options::<()>::default().max_restarts(10).validate().unwrap();
/// assert_eq!(config.max_restarts(), 10);
/// assert_eq!(
///     Options::<()>::default().max_seconds(0).validate().unwrap_err(),
///     ConfigError::InvalidPeriod(0)
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options<A> {
    /// The strategy; must be [`Strategy::OneForOne`].
    pub strategy: Strategy,
    /// Restarts allowed inside the window (OTP's intensity); an integer ≥ 0.
    pub max_restarts: i64,
    /// The window in seconds (OTP's period); an integer > 0.
    pub max_seconds: i64,
    /// The cap on children.
    pub max_children: MaxChildren,
    /// Arguments prepended to every start function's arguments.
    pub extra_arguments: Vec<A>,
    /// Must be [`AutoShutdown::Never`].
    pub auto_shutdown: AutoShutdown,
}

impl<A> Default for Options<A> {
    fn default() -> Self {
        Options {
            strategy: Strategy::OneForOne,
            max_restarts: 3,
            max_seconds: 5,
            max_children: MaxChildren::Infinity,
            extra_arguments: Vec::new(),
            auto_shutdown: AutoShutdown::Never,
        }
    }
}

impl<A> Options<A> {
    /// Sets `max_restarts`.
    pub fn max_restarts(mut self, max_restarts: i64) -> Self {
        self.max_restarts = max_restarts;
        self
    }

    /// Sets `max_seconds`.
    pub fn max_seconds(mut self, max_seconds: i64) -> Self {
        self.max_seconds = max_seconds;
        self
    }

    /// Sets `max_children`.
    pub fn max_children(mut self, max_children: MaxChildren) -> Self {
        self.max_children = max_children;
        self
    }

    /// Sets `extra_arguments`.
    pub fn extra_arguments(mut self, extra_arguments: Vec<A>) -> Self {
        self.extra_arguments = extra_arguments;
        self
    }

    /// Sets the strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets `auto_shutdown`.
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.auto_shutdown = auto_shutdown;
        self
    }

    /// Checks the options in OTP's order (strategy, intensity, period, max_children,
    /// auto_shutdown); the first failure wins.
    pub fn validate(self) -> Result<Config<A>, ConfigError> {
        if self.strategy != Strategy::OneForOne {
            return Err(ConfigError::InvalidStrategy(self.strategy));
        }
        let max_restarts = u64::try_from(self.max_restarts)
            .map_err(|_| ConfigError::InvalidIntensity(self.max_restarts))?;
        let max_seconds = u64::try_from(self.max_seconds)
            .ok()
            .filter(|&s| s > 0)
            .ok_or(ConfigError::InvalidPeriod(self.max_seconds))?;
        let max_children = match self.max_children {
            MaxChildren::Infinity => None,
            MaxChildren::Limit(n) => {
                Some(u64::try_from(n).map_err(|_| ConfigError::InvalidMaxChildren(n))?)
            }
        };
        if self.auto_shutdown != AutoShutdown::Never {
            return Err(ConfigError::InvalidAutoShutdown(self.auto_shutdown));
        }
        Ok(Config {
            max_restarts,
            max_seconds,
            max_children,
            extra_arguments: self.extra_arguments,
        })
    }
}

/// The flag map a module-based supervisor's `init/1` returns, where every key may be absent.
///
/// Absent keys take the defaults of OTP's flag map, which **differ** from [`Options`]: an
/// absent intensity means 1, not 3 (docs/semantics.md §2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorFlags<A> {
    /// `strategy`; absent means one_for_one.
    pub strategy: Option<Strategy>,
    /// `intensity`; absent means **1**.
    pub intensity: Option<i64>,
    /// `period`; absent means 5.
    pub period: Option<i64>,
    /// `max_children`; absent means infinity.
    pub max_children: Option<MaxChildren>,
    /// `extra_arguments`; absent means none.
    pub extra_arguments: Option<Vec<A>>,
    /// `auto_shutdown`; absent means never.
    pub auto_shutdown: Option<AutoShutdown>,
}

impl<A> Default for SupervisorFlags<A> {
    fn default() -> Self {
        SupervisorFlags {
            strategy: None,
            intensity: None,
            period: None,
            max_children: None,
            extra_arguments: None,
            auto_shutdown: None,
        }
    }
}

impl<A> SupervisorFlags<A> {
    /// The options these flags stand for, absent keys filled with the flag-map defaults.
    pub fn into_options(self) -> Options<A> {
        Options {
            strategy: self.strategy.unwrap_or_default(),
            max_restarts: self.intensity.unwrap_or(1),
            max_seconds: self.period.unwrap_or(5),
            max_children: self.max_children.unwrap_or_default(),
            extra_arguments: self.extra_arguments.unwrap_or_default(),
            auto_shutdown: self.auto_shutdown.unwrap_or_default(),
        }
    }
}

/// Validated options, as the supervisor uses them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config<A> {
    max_restarts: u64,
    max_seconds: u64,
    max_children: Option<u64>,
    extra_arguments: Vec<A>,
}

impl<A> Config<A> {
    /// Restarts allowed inside one window.
    pub fn max_restarts(&self) -> u64 {
        self.max_restarts
    }

    /// The window, in whole seconds.
    pub fn max_seconds(&self) -> u64 {
        self.max_seconds
    }

    /// The cap on children; `None` is infinity.
    pub fn max_children(&self) -> Option<u64> {
        self.max_children
    }

    /// Arguments prepended to every start.
    pub fn extra_arguments(&self) -> &[A] {
        &self.extra_arguments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options<u8> {
        Options::default()
    }

    #[test]
    fn defaults_are_elixirs() {
        let config = options().validate().unwrap();
        assert_eq!(config.max_restarts(), 3);
        assert_eq!(config.max_seconds(), 5);
        assert_eq!(config.max_children(), None);
        assert!(config.extra_arguments().is_empty());
    }

    #[test]
    fn flag_map_defaults_differ() {
        let config = SupervisorFlags::<u8>::default()
            .into_options()
            .validate()
            .unwrap();
        assert_eq!(config.max_restarts(), 1);
        assert_eq!(config.max_seconds(), 5);
        assert_eq!(config.max_children(), None);
    }

    #[test]
    fn each_invalid_value_has_its_error() {
        assert_eq!(
            options().strategy(Strategy::OneForAll).validate(),
            Err(ConfigError::InvalidStrategy(Strategy::OneForAll))
        );
        assert_eq!(
            options().max_restarts(-1).validate(),
            Err(ConfigError::InvalidIntensity(-1))
        );
        assert_eq!(
            options().max_seconds(0).validate(),
            Err(ConfigError::InvalidPeriod(0))
        );
        assert_eq!(
            options().max_seconds(-3).validate(),
            Err(ConfigError::InvalidPeriod(-3))
        );
        assert_eq!(
            options().max_children(MaxChildren::Limit(-1)).validate(),
            Err(ConfigError::InvalidMaxChildren(-1))
        );
        assert_eq!(
            options()
                .auto_shutdown(AutoShutdown::AnySignificant)
                .validate(),
            Err(ConfigError::InvalidAutoShutdown(
                AutoShutdown::AnySignificant
            ))
        );
    }

    #[test]
    fn first_failure_wins() {
        let err = options()
            .strategy(Strategy::RestForOne)
            .max_restarts(-1)
            .max_seconds(0)
            .validate()
            .unwrap_err();
        assert_eq!(err, ConfigError::InvalidStrategy(Strategy::RestForOne));
        let err = options().max_seconds(0).max_restarts(-1).validate();
        assert_eq!(err, Err(ConfigError::InvalidIntensity(-1)));
    }

    #[test]
    fn zero_limits_are_valid() {
        let config = options()
            .max_restarts(0)
            .max_children(MaxChildren::Limit(0))
            .extra_arguments(vec![7])
            .validate()
            .unwrap();
        assert_eq!(config.max_restarts(), 0);
        assert_eq!(config.max_children(), Some(0));
        assert_eq!(config.extra_arguments(), &[7]);
    }
}
