//! The `--plant-defect` and `--plant-tree-defect` flags: names of the reference model's
//! planted defects and of the planted, wrong tree checkers.

use dynsup_sim::testing::{Defect, TreeDefect};

/// A planted defect of the reference model, as named on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefectArg {
    /// The intensity window check uses `<` instead of `<=`.
    IntensityOffByOne,
    /// A terminated permanent child is restarted.
    RestartTerminated,
    /// Temporary children are restarted after abnormal exits.
    TemporaryRestarted,
    /// Restarting entries do not count toward max_children.
    MaxChildrenIgnoresRestarting,
}

impl DefectArg {
    /// The flag's spelling.
    pub fn name(self) -> &'static str {
        match self {
            DefectArg::IntensityOffByOne => "intensity-off-by-one",
            DefectArg::RestartTerminated => "restart-terminated",
            DefectArg::TemporaryRestarted => "temporary-restarted",
            DefectArg::MaxChildrenIgnoresRestarting => "max-children-ignores-restarting",
        }
    }
}

impl From<DefectArg> for Defect {
    fn from(arg: DefectArg) -> Self {
        match arg {
            DefectArg::IntensityOffByOne => Defect::IntensityOffByOne,
            DefectArg::RestartTerminated => Defect::RestartTerminated,
            DefectArg::TemporaryRestarted => Defect::TemporaryRestarted,
            DefectArg::MaxChildrenIgnoresRestarting => Defect::MaxChildrenIgnoresRestarting,
        }
    }
}

impl From<Defect> for DefectArg {
    fn from(defect: Defect) -> Self {
        match defect {
            Defect::IntensityOffByOne => DefectArg::IntensityOffByOne,
            Defect::RestartTerminated => DefectArg::RestartTerminated,
            Defect::TemporaryRestarted => DefectArg::TemporaryRestarted,
            Defect::MaxChildrenIgnoresRestarting => DefectArg::MaxChildrenIgnoresRestarting,
        }
    }
}

/// A planted, wrong tree checker, as named on the command line (`--plant-tree-defect`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeDefectArg {
    /// Any supervisor that gives up under a parent is a violation.
    EscalationForbidden,
}

impl TreeDefectArg {
    /// The flag's spelling.
    pub fn name(self) -> &'static str {
        match self {
            TreeDefectArg::EscalationForbidden => "escalation-forbidden",
        }
    }
}

impl From<TreeDefectArg> for TreeDefect {
    fn from(arg: TreeDefectArg) -> Self {
        match arg {
            TreeDefectArg::EscalationForbidden => TreeDefect::EscalationForbidden,
        }
    }
}
