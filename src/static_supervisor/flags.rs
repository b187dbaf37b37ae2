//! The static supervisor's flags (`strategy`, `max_restarts`, `max_seconds`, `auto_shutdown`)
//! and their validation.

use crate::error::ConfigError;
use crate::options::{AutoShutdown, Options, Strategy};

/// Flags as `Supervisor.init/2` takes them, with Elixir's defaults (one_for_one, 3 restarts
/// in 5 seconds, auto_shutdown never). Every strategy and every `auto_shutdown` is valid for a
/// static supervisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    /// The restart strategy (docs/static-supervisor.md §3).
    pub strategy: Strategy,
    /// Restarts allowed inside the window (OTP's intensity); an integer ≥ 0.
    pub max_restarts: i64,
    /// The window in seconds (OTP's period); an integer > 0.
    pub max_seconds: i64,
    /// When the exit of significant children shuts the supervisor down (§7).
    pub auto_shutdown: AutoShutdown,
}

impl Default for Flags {
    fn default() -> Self {
        Flags {
            strategy: Strategy::OneForOne,
            max_restarts: 3,
            max_seconds: 5,
            auto_shutdown: AutoShutdown::Never,
        }
    }
}

impl Flags {
    /// Sets the strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

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

    /// Sets `auto_shutdown`.
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.auto_shutdown = auto_shutdown;
        self
    }

    /// Checks intensity then period, with the same rules and errors as the
    /// DynamicSupervisor's options (the checks are theirs, reused).
    pub fn validate(self) -> Result<StaticConfig, ConfigError> {
        let config = Options::<()>::default()
            .max_restarts(self.max_restarts)
            .max_seconds(self.max_seconds)
            .validate()?;
        Ok(StaticConfig {
            strategy: self.strategy,
            max_restarts: config.max_restarts(),
            max_seconds: config.max_seconds(),
            auto_shutdown: self.auto_shutdown,
        })
    }
}

/// Validated flags, as the static supervisor uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaticConfig {
    strategy: Strategy,
    max_restarts: u64,
    max_seconds: u64,
    auto_shutdown: AutoShutdown,
}

impl StaticConfig {
    /// The restart strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Restarts allowed inside one window.
    pub fn max_restarts(&self) -> u64 {
        self.max_restarts
    }

    /// The window, in whole seconds.
    pub fn max_seconds(&self) -> u64 {
        self.max_seconds
    }

    /// The `auto_shutdown` flag.
    pub fn auto_shutdown(&self) -> AutoShutdown {
        self.auto_shutdown
    }
}
