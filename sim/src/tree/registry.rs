//! The name registry of the tree world: every supervisor process is registered under its
//! node's name while it lives (`already_started` for a second one), as OTP's `{:local, name}`.

use std::collections::BTreeMap;

use dynsup::Pid;

/// Names (node indexes) to the live process registered under each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    names: BTreeMap<usize, Pid>,
}

impl Registry {
    /// Registers `pid` as `name`; `Err(holder)` when the name is taken.
    pub fn register(&mut self, name: usize, pid: Pid) -> Result<(), Pid> {
        match self.names.get(&name) {
            Some(&holder) => Err(holder),
            None => {
                self.names.insert(name, pid);
                Ok(())
            }
        }
    }

    /// The process registered as `name`.
    pub fn whereis(&self, name: usize) -> Option<Pid> {
        self.names.get(&name).copied()
    }

    /// Frees `name` if `pid` holds it (the process ended).
    pub fn unregister(&mut self, name: usize, pid: Pid) {
        if self.names.get(&name) == Some(&pid) {
            self.names.remove(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_held_until_its_process_ends() {
        let mut registry = Registry::default();
        assert_eq!(registry.register(3, Pid(1)), Ok(()));
        assert_eq!(registry.register(3, Pid(2)), Err(Pid(1)));
        registry.unregister(3, Pid(2));
        assert_eq!(registry.whereis(3), Some(Pid(1)));
        registry.unregister(3, Pid(1));
        assert_eq!(registry.whereis(3), None);
        assert_eq!(registry.register(3, Pid(2)), Ok(()));
    }
}
